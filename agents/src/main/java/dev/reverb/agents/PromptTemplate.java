package dev.reverb.agents;

import dev.reverb.agents.model.ChatMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt with named slots. {@code {{task}}} is replaced by the slot's text;
 * {@code {{#feedback}}...{{/feedback}}} keeps its body only when the slot is non-empty, so one
 * template serves a first attempt and a retry.
 *
 * <p>A template file may hold a {@code [system]} and a {@code [user]} section, each on its own
 * line; a file without sections is all user message.
 */
public final class PromptTemplate {

    /** The slots protocols fill. */
    public static final Set<String> SLOTS = Set.of(
            "task",        // the task's question
            "answer",      // this agent's previous answer
            "others",      // the other agents' latest answers and reasoning
            "feedback",    // the verifier's or a critic's feedback on the previous answer
            "reflections", // verbal reflections written so far
            "memory",      // everything retrieved from memory, in sections
            "examples",    // similar past trajectories, solved and not (experiential memory)
            "successes",   // similar past trajectories that were solved; for a distiller, recent successes
            "failures",    // similar past trajectories that were not; for a distiller, recent failures
            "lessons",     // reflections written on similar tasks (reflective memory)
            "insights",    // general insights of this kind of task (concept memory), numbered
            "candidate",   // the answer under critique or reflection
            "rubric",      // what a critic judges by
            "instruction", // the instructor's latest instruction (role play)
            "steps",       // the reasoning steps so far, numbered (step-by-step search)
            "step",        // the number of the step to write now (step-by-step search)
            "round");      // the 1-based round or trial number

    private static final Pattern SLOT = Pattern.compile("\\{\\{([#/]?)(\\w[\\w-]*)}}");

    private final String system;
    private final String user;
    /** The parts parsed once (this class renders for every agent turn). */
    private final CompiledTemplate systemParts;
    private final CompiledTemplate userParts;

    public PromptTemplate(String system, String user) {
        this.system = system == null ? "" : system;
        this.user = Objects.requireNonNull(user, "user");
        if (user.isBlank()) {
            throw new IllegalArgumentException("a prompt template needs a user message");
        }
        this.systemParts = CompiledTemplate.of(this.system);
        this.userParts = CompiledTemplate.of(user);
    }

    /** The system message's template, empty when there is none. */
    public String system() {
        return system;
    }

    /** The user message's template. */
    public String user() {
        return user;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PromptTemplate t && system.equals(t.system) && user.equals(t.user);
    }

    @Override
    public int hashCode() {
        return 31 * system.hashCode() + user.hashCode();
    }

    @Override
    public String toString() {
        return "PromptTemplate[system=" + system + ", user=" + user + "]";
    }

    /** Parses a template file's text (see the class comment for its sections). */
    public static PromptTemplate parse(String text) {
        String t = text.replace("\r\n", "\n");
        int s = t.indexOf("[system]\n");
        int u = t.indexOf("[user]\n");
        if (u < 0) {
            return new PromptTemplate("", t.strip());
        }
        String system = s < 0 ? "" : t.substring(s + "[system]\n".length(), s < u ? u : t.length()).strip();
        String user = t.substring(u + "[user]\n".length(), s > u ? s : t.length()).strip();
        return new PromptTemplate(system, user);
    }

    /** The built-in template of a role (from {@code dev/reverb/agents/prompts/ROLE.txt}). */
    public static PromptTemplate defaultFor(Role role) {
        String path = "prompts/" + role.id() + ".txt";
        try (InputStream in = PromptTemplate.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing built-in prompt " + path);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every slot name the template mentions, in order of first use. */
    public Set<String> slots() {
        Set<String> names = new LinkedHashSet<>();
        for (String part : List.of(system, user)) {
            Matcher m = SLOT.matcher(part);
            while (m.find()) {
                names.add(m.group(2));
            }
        }
        return names;
    }

    /** Slot names the template mentions that no protocol fills (a typo, usually). */
    public Set<String> unknownSlots() {
        Set<String> unknown = new LinkedHashSet<>(slots());
        unknown.removeAll(SLOTS);
        return unknown;
    }

    /**
     * Fills the slots; a missing slot counts as empty. The list is unmodifiable, so a request made of
     * it does not copy it again (this runs for every agent turn).
     */
    public List<ChatMessage> render(Map<String, String> values) {
        String sys = systemParts.fill(values);
        ChatMessage userMessage = ChatMessage.user(userParts.fill(values));
        return sys.isBlank() ? List.of(userMessage) : List.of(ChatMessage.system(sys), userMessage);
    }

}
