package dev.reverb.runtime.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reverb.agents.protocol.ProtocolDescriptor;
import dev.reverb.environments.SettingsSpec;
import dev.reverb.runtime.Extensions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JSON schema's per-type part is generated from the registry. When this fails, the committed
 * {@code scenarios/scenario.schema.json} is stale: rewrite it with
 * {@code mvn -B -o -pl runtime -am test -Dtest=ScenarioSchemaTest -Dsurefire.failIfNoSpecifiedTests=false -Dreverb.schema.write=true}.
 */
class ScenarioSchemaTest {

    static final Path SCHEMA = ScenarioLoaderTest.ROOT.resolve("scenarios/scenario.schema.json");

    @Test
    void should_match_the_registry_when_the_committed_schema_is_regenerated() throws Exception {
        String committed = Files.readString(SCHEMA, StandardCharsets.UTF_8);
        String generated = SchemaGenerator.print(SchemaGenerator.generate(new ObjectMapper().readTree(committed),
                Extensions.NONE));
        if (Boolean.getBoolean("reverb.schema.write") && !generated.equals(committed)) {
            Files.writeString(SCHEMA, generated, StandardCharsets.UTF_8);
            return;
        }
        assertThat(firstDifference(committed, generated))
                .as("scenarios/scenario.schema.json is stale; rerun this test with -Dreverb.schema.write=true")
                .isEmpty();
    }

    @Test
    void should_describe_each_key_of_a_type_registered_from_java() throws Exception {
        Extensions registry = Extensions.NONE.withProtocol(new ProtocolDescriptor("vote", "A plain vote.",
                SettingsSpec.builder().agents("voters", 3, "Who votes.").required()
                        .integer("rounds", 1, 9, 1, "Rounds.").build(),
                (name, s, c) -> null));
        JsonNode schema = SchemaGenerator.generate(SchemaGenerator.committed(), registry);

        JsonNode vote = schema.at("/$defs/protocol-vote");
        assertThat(vote.path("required").toString()).isEqualTo("[\"voters\"]");
        assertThat(vote.at("/properties/voters/minItems").asInt()).isEqualTo(3);
        assertThat(vote.at("/properties/rounds/maximum").asLong()).isEqualTo(9);
        assertThat(vote.path("additionalProperties").asBoolean(true)).isFalse();
        assertThat(schema.at("/$defs/protocol/allOf").toString()).contains("\"#/$defs/protocol-vote\"");
    }

    @Test
    void should_leave_the_hand_written_part_as_it_is_when_generating() {
        JsonNode committed = SchemaGenerator.committed();
        JsonNode generated = SchemaGenerator.generate(committed, Extensions.NONE);
        assertThat(generated.path("properties")).isEqualTo(committed.path("properties"));
        assertThat(generated.at("/$defs/model")).isEqualTo(committed.at("/$defs/model"));
        assertThat(generated.at("/$defs/environment-humaneval/properties/sandbox/enum").toString())
                .isEqualTo("[\"bwrap\",\"unsafe-local\"]");
    }

    /** "" when equal, else the first differing line of each. */
    private static String firstDifference(String a, String b) {
        List<String> x = a.lines().toList();
        List<String> y = b.lines().toList();
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            String l = i < x.size() ? x.get(i) : "<end>";
            String r = i < y.size() ? y.get(i) : "<end>";
            if (!l.equals(r)) {
                return "line " + (i + 1) + ":\n  committed: " + l + "\n  generated: " + r;
            }
        }
        return "";
    }
}
