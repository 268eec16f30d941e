package dev.reverb.memory;

/**
 * Who a memory item belongs to. Items of an agent's scope are read only by that agent; team
 * (one scenario) and global items by every agent that reads those scopes.
 */
public final class Scopes {

    public static final String GLOBAL = "global";
    private static final String AGENT = "agent:";
    private static final String TEAM = "team:";

    private Scopes() {
    }

    public static String agent(String name) {
        return AGENT + name;
    }

    public static String team(String name) {
        return TEAM + name;
    }

    /** Whether {@code scope} is one agent's own. */
    public static boolean isAgent(String scope) {
        return scope.startsWith(AGENT);
    }

    /** Whether an item of {@code scope} may appear in {@code agent}'s prompts. */
    public static boolean visibleTo(String scope, String agent) {
        return !isAgent(scope) || scope.equals(agent(agent));
    }
}
