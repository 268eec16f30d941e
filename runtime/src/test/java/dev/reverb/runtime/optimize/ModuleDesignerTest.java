package dev.reverb.runtime.optimize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.runtime.Extensions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The module level's search space: memory kinds switch on and off only with a persistent store. */
class ModuleDesignerTest {

    private static final String DESIGN = """
            agents:
              - {name: solver, role: solver, model: m}
              - {name: keeper, role: distiller, model: m}
            protocols:
              - {name: reflexion, type: reflexion, solver: solver, max-trials: 2}
            memory:
              folder: mem
              experiential: {successes: 3, failures: 1}
              concept: {distiller: keeper, every: 4}
            """;

    @Test
    void should_offer_each_memory_kind_on_and_off_when_the_design_has_a_store() {
        ModuleDesigner designer = new ModuleDesigner(Extensions.NONE);

        Map<String, List<JsonNode>> space = designer.space(DesignTree.read(DESIGN));

        assertThat(space.get("memory.experiential")).extracting(JsonNode::toString)
                .containsExactly("{\"successes\":3,\"failures\":1}", "{\"successes\":0,\"failures\":0}");
        assertThat(space.get("memory.reflective")).extracting(JsonNode::toString)
                .containsExactly("{\"count\":2}", "{\"count\":0}");
        assertThat(space.get("memory.concept")).extracting(JsonNode::toString)
                .containsExactly("{\"distiller\":\"keeper\",\"every\":4}", "null");
    }

    @Test
    void should_switch_memory_kinds_off_when_the_proposal_says_so() {
        ModuleDesigner designer = new ModuleDesigner(Extensions.NONE);
        ObjectNode start = DesignTree.read(DESIGN);

        ObjectNode next = designer.apply(start, "SET memory.concept=null\nSET memory.experiential={successes: 0, failures: 0}\n");

        assertThat(next.path("memory").has("concept")).isFalse();
        assertThat(next.path("memory").path("experiential").path("successes").asInt()).isZero();
        assertThat(start.path("memory").has("concept")).isTrue(); // the start is not changed
        assertThat(designer.apply(start, designer.random(start, new Random(3))).path("memory").path("folder").asText())
                .isEqualTo("mem"); // random lines parse back into a design
    }

    @Test
    void should_leave_memory_kinds_out_when_nothing_is_remembered_across_episodes() {
        ModuleDesigner designer = new ModuleDesigner(Extensions.NONE);

        Map<String, List<JsonNode>> space = designer.space(DesignTree.read(DESIGN.replace("  folder: mem\n", "")));

        assertThat(space).containsKey("memory.reflections").doesNotContainKeys("memory.experiential",
                "memory.reflective", "memory.concept");
    }
}
