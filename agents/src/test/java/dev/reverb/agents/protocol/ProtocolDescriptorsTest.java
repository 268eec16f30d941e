package dev.reverb.agents.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.environments.Settings;
import dev.reverb.environments.SettingsSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each built-in protocol's descriptor builds its protocol from its defaults and its checks see across keys. */
class ProtocolDescriptorsTest {

    /** The defaults of a spec, with its required agent keys filled with the given names. */
    private static Settings defaults(SettingsSpec spec, Map<String, Object> given) {
        Map<String, Object> values = new LinkedHashMap<>();
        spec.keys().values().forEach(k -> {
            if (k.defaultValue() != null) {
                values.put(k.name(), k.defaultValue());
            }
        });
        values.putAll(given);
        spec.keys().values().stream().filter(k -> k.derived() != null && !values.containsKey(k.name()))
                .forEach(k -> values.put(k.name(), k.derived().apply(new Settings(values))));
        return new Settings(values);
    }

    @Test
    void should_build_each_built_in_protocol_from_its_defaults() {
        ProtocolDescriptor.Context context = new ProtocolDescriptor.Context(false);
        assertThat(Reflexion.DESCRIPTOR.factory().create("r", defaults(Reflexion.DESCRIPTOR.settings(),
                Map.of("solver", "s", "reflector", "f")), context)).isEqualTo(new Reflexion("r", "s", "f", 3, false));
        Debate debate = (Debate) Debate.DESCRIPTOR.factory().create("d", defaults(Debate.DESCRIPTOR.settings(),
                Map.of("debaters", List.of("a", "b", "c"), "topology", "star")), context);
        assertThat(debate.listensTo()).isEqualTo(Debate.star(List.of("a", "b", "c")));
        React react = (React) React.DESCRIPTOR.factory().create("x", defaults(React.DESCRIPTOR.settings(),
                Map.of("actor", "a")), context);
        assertThat(react.maxTrials()).isEqualTo(1);
        assertThat(((React) React.DESCRIPTOR.factory().create("x", defaults(React.DESCRIPTOR.settings(),
                Map.of("actor", "a", "reflector", "r")), context)).maxTrials()).isEqualTo(3);
        assertThat(PrmSearch.DESCRIPTOR.factory().create("p", defaults(PrmSearch.DESCRIPTOR.settings(),
                Map.of("policy", "p", "scorer", "s")), context).agents()).contains("p", "s");
        assertThat(Mcts.DESCRIPTOR.factory().create("m", defaults(Mcts.DESCRIPTOR.settings(),
                Map.of("policy", "p", "scorer", "s")), context).agents()).contains("p", "s");
        assertThat(RolePlay.DESCRIPTOR.factory().create("rp", defaults(RolePlay.DESCRIPTOR.settings(),
                Map.of("instructor", "i", "executor", "e")), context)).isEqualTo(new RolePlay("rp", "i", "e", 4, RolePlay.DONE));
        assertThat(CritiqueRevise.DESCRIPTOR.factory().create("c", defaults(CritiqueRevise.DESCRIPTOR.settings(),
                Map.of("proposer", "p", "critics", List.of("c1"))), context).agents()).containsExactly("p", "c1");
    }

    @Test
    void should_report_a_missing_judge_and_a_stranger_in_the_graph_when_checking_a_debate() {
        List<String> problems = new ArrayList<>();
        Settings s = defaults(Debate.DESCRIPTOR.settings(), Map.of("debaters", List.of("a", "b"), "aggregate", "judge",
                "topology", Map.of("z", List.of("a"))));
        Debate.DESCRIPTOR.settings().checks().forEach(c -> c.check(s, new SettingsSpec.Problems() {
            @Override
            public void at(String path, String message) {
                problems.add(path + ": " + message);
            }
        }));
        assertThat(problems).containsExactly("aggregate: needs a 'judge' agent",
                "topology/z: 'z' is not one of this debate's debaters");
    }
}
