package dev.reverb.runtime;

import dev.reverb.agents.protocol.CritiqueRevise;
import dev.reverb.agents.protocol.Debate;
import dev.reverb.agents.protocol.Mcts;
import dev.reverb.agents.protocol.PrmSearch;
import dev.reverb.agents.protocol.ProtocolDescriptor;
import dev.reverb.agents.protocol.React;
import dev.reverb.agents.protocol.Reflexion;
import dev.reverb.agents.protocol.RolePlay;
import dev.reverb.environments.EnvironmentDescriptor;
import dev.reverb.environments.MathEnvironment;
import dev.reverb.environments.code.CodeEnvironment;
import dev.reverb.environments.game24.Game24Environment;
import dev.reverb.environments.world.TextWorldEnvironment;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The registry of environment and protocol types that scenario files select by name: the
 * built-in ones and those registered from Java, each described once by its descriptor (settings,
 * checks, factory). The scenario loader checks every type's settings against its descriptor, the
 * JSON schema's per-type part is generated from it, and the runner builds through its factory.
 * Immutable: each {@code with...} returns a new registry.
 *
 * <pre>{@code
 * Extensions extensions = Extensions.NONE
 *         .withEnvironment(new EnvironmentDescriptor("echo", "Repeat a word.",
 *                 SettingsSpec.builder().integer("count", 1, 1000, 3, "words").build(),
 *                 settings -> new EchoEnvironment(settings.integer("count"))))
 *         .withProtocol(new ProtocolDescriptor("once", "One answer.",
 *                 SettingsSpec.builder().agent("agent", "who answers").required().build(),
 *                 (name, settings, context) -> new Once(name, settings.text("agent"))));
 * }</pre>
 */
public final class Extensions {

    /** The built-in environment types: the one list of them. */
    private static final List<EnvironmentDescriptor> BUILT_IN_ENVIRONMENTS = List.of(MathEnvironment.ARITHMETIC,
            MathEnvironment.GSM8K, MathEnvironment.MATH, CodeEnvironment.HUMANEVAL, Game24Environment.DESCRIPTOR,
            TextWorldEnvironment.DESCRIPTOR);
    /** The built-in protocol types: the one list of them. */
    private static final List<ProtocolDescriptor> BUILT_IN_PROTOCOLS = List.of(Reflexion.DESCRIPTOR, Debate.DESCRIPTOR,
            CritiqueRevise.DESCRIPTOR, PrmSearch.DESCRIPTOR, Mcts.DESCRIPTOR, RolePlay.DESCRIPTOR, React.DESCRIPTOR);

    /** The built-in types only (nothing registered from Java). */
    public static final Extensions NONE = built();

    private final Map<String, EnvironmentDescriptor> environments;
    private final Map<String, ProtocolDescriptor> protocols;

    private Extensions(Map<String, EnvironmentDescriptor> environments, Map<String, ProtocolDescriptor> protocols) {
        this.environments = Collections.unmodifiableMap(new LinkedHashMap<>(environments));
        this.protocols = Collections.unmodifiableMap(new LinkedHashMap<>(protocols));
    }

    private static Extensions built() {
        Extensions registry = new Extensions(Map.of(), Map.of());
        for (EnvironmentDescriptor e : BUILT_IN_ENVIRONMENTS) {
            registry = registry.withEnvironment(e);
        }
        for (ProtocolDescriptor p : BUILT_IN_PROTOCOLS) {
            registry = registry.withProtocol(p);
        }
        return registry;
    }

    /** This registry and one more environment type. */
    public Extensions withEnvironment(EnvironmentDescriptor descriptor) {
        Objects.requireNonNull(descriptor, "descriptor");
        taken(descriptor.type(), environments.keySet(), "environment");
        Map<String, EnvironmentDescriptor> more = new LinkedHashMap<>(environments);
        more.put(descriptor.type(), descriptor);
        return new Extensions(more, protocols);
    }

    /** This registry and one more protocol type. */
    public Extensions withProtocol(ProtocolDescriptor descriptor) {
        Objects.requireNonNull(descriptor, "descriptor");
        taken(descriptor.type(), protocols.keySet(), "protocol");
        Map<String, ProtocolDescriptor> more = new LinkedHashMap<>(protocols);
        more.put(descriptor.type(), descriptor);
        return new Extensions(environments, more);
    }

    public Optional<EnvironmentDescriptor> environment(String type) {
        return Optional.ofNullable(environments.get(type));
    }

    public Optional<ProtocolDescriptor> protocol(String type) {
        return Optional.ofNullable(protocols.get(type));
    }

    /** Every environment descriptor, built-ins first, in registration order. */
    public List<EnvironmentDescriptor> environments() {
        return List.copyOf(environments.values());
    }

    /** Every protocol descriptor, built-ins first, in registration order. */
    public List<ProtocolDescriptor> protocols() {
        return List.copyOf(protocols.values());
    }

    /** Every environment type name, built in or registered. */
    public Set<String> environmentTypes() {
        return environments.keySet();
    }

    /** Every protocol type name, built in or registered. */
    public Set<String> protocolTypes() {
        return protocols.keySet();
    }

    /** The built-in environment type names. */
    public static Set<String> builtInEnvironmentTypes() {
        return names(BUILT_IN_ENVIRONMENTS.stream().map(EnvironmentDescriptor::type).toList());
    }

    /** The built-in protocol type names. */
    public static Set<String> builtInProtocolTypes() {
        return names(BUILT_IN_PROTOCOLS.stream().map(ProtocolDescriptor::type).toList());
    }

    private static Set<String> names(List<String> names) {
        return Collections.unmodifiableSet(new TreeSet<>(names));
    }

    private static void taken(String type, Set<String> known, String what) {
        if (known.contains(type)) {
            throw new IllegalArgumentException("the " + what + " type '" + type + "' is already taken");
        }
    }
}
