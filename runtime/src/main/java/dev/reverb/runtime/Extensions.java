package dev.reverb.runtime;

import dev.reverb.agents.protocol.Protocol;
import dev.reverb.environments.Environment;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The embedded API's registry: environments and protocols written in Java that scenario files
 * select by type name, like the built-in ones. Pass it to {@code ScenarioLoader.load} (so the
 * names validate) and to {@code Runner.Options} (so they are built). A protocol is usually a
 * subclass of {@code dev.reverb.agents.protocol.EpisodeBehavior}; an agent role is any agent
 * with its own prompt template. Immutable: each {@code with...} returns a new registry.
 *
 * <pre>{@code
 * Extensions extensions = Extensions.NONE
 *         .withEnvironment("echo", settings -> new EchoEnvironment((Integer) settings.get("count")))
 *         .withProtocol("once", (name, settings) -> new Once(name, (String) settings.get("agent")));
 * }</pre>
 */
public final class Extensions {

    /** Builds an environment from the scenario's {@code environment} settings (every key but {@code type}). */
    @FunctionalInterface
    public interface EnvironmentFactory {
        Environment create(Map<String, Object> settings) throws IOException;
    }

    /** Builds a protocol from its scenario name and settings (every key but {@code name} and {@code type}). */
    @FunctionalInterface
    public interface ProtocolFactory {
        Protocol create(String name, Map<String, Object> settings);
    }

    public static final Extensions NONE = new Extensions(Map.of(), Map.of());

    private final Map<String, EnvironmentFactory> environments;
    private final Map<String, ProtocolFactory> protocols;

    private Extensions(Map<String, EnvironmentFactory> environments, Map<String, ProtocolFactory> protocols) {
        this.environments = Map.copyOf(environments);
        this.protocols = Map.copyOf(protocols);
    }

    public Extensions withEnvironment(String type, EnvironmentFactory factory) {
        check(type, ScenarioLoader.ENVIRONMENT_TYPES, environments.keySet(), "environment");
        Map<String, EnvironmentFactory> more = new LinkedHashMap<>(environments);
        more.put(type, Objects.requireNonNull(factory, "factory"));
        return new Extensions(more, protocols);
    }

    public Extensions withProtocol(String type, ProtocolFactory factory) {
        check(type, ScenarioLoader.PROTOCOL_TYPES, protocols.keySet(), "protocol");
        Map<String, ProtocolFactory> more = new LinkedHashMap<>(protocols);
        more.put(type, Objects.requireNonNull(factory, "factory"));
        return new Extensions(environments, more);
    }

    public Optional<EnvironmentFactory> environment(String type) {
        return Optional.ofNullable(environments.get(type));
    }

    public Optional<ProtocolFactory> protocol(String type) {
        return Optional.ofNullable(protocols.get(type));
    }

    public Set<String> environmentTypes() {
        return environments.keySet();
    }

    public Set<String> protocolTypes() {
        return protocols.keySet();
    }

    private static void check(String type, Set<String> builtIn, Set<String> registered, String what) {
        if (type == null || !type.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException("a " + what + " type is lower-case letters, digits, '_' or '-', got '"
                    + type + "'");
        }
        if (builtIn.contains(type) || registered.contains(type)) {
            throw new IllegalArgumentException("the " + what + " type '" + type + "' is already taken");
        }
    }
}
