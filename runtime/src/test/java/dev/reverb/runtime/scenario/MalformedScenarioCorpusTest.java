package dev.reverb.runtime.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of malformed scenarios made by mutating the shipped ones (wrong types, missing and
 * unknown keys, huge and negative numbers, bad references and enums, duplicates, truncation, byte
 * damage): every mutant that is wrong by construction is refused with located problems, and no
 * mutant at all gets anything but a {@link ScenarioException} (or loads, when damage left it valid).
 */
class MalformedScenarioCorpusTest {

    static final Path SCENARIOS = ScenarioLoaderTest.ROOT.resolve("scenarios");
    /** Shipped scenarios that load from a copy of {@code scenarios/} (no shared datasets). */
    static final List<String> BASES = List.of("quickstart", "reflexion-memory", "math-reflexion", "prm-search",
            "critique-revise", "debate-topologies", "role-play", "textworld-react");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> ENUM_KEYS = Set.of("role", "type", "backend", "tie-break", "aggregate", "strategy",
            "aggregation", "difficulty", "device", "dtype", "style", "topology");
    private static final Set<String> UNIQUE_LISTS = Set.of("debaters", "critics", "read", "write");
    private static final Set<String> SIGNED = Set.of("seed", "shuffle-seed");

    @TempDir
    Path tmp;

    /** One mutant: its label, its bytes, and whether it is wrong by construction. */
    record Mutant(String label, byte[] bytes, boolean wrong) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Arguments> corpus() {
        List<Arguments> all = new ArrayList<>();
        for (String base : BASES) {
            String text = read(SCENARIOS.resolve(base + ".yaml"));
            JsonNode tree;
            try {
                tree = YAML.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Random random = new Random(base.hashCode());
            List<String[]> leaves = new ArrayList<>();
            collect(tree, "", leaves);
            List<String> containers = new ArrayList<>();
            containers(tree, "", containers);
            List<String> agentNames = new ArrayList<>();
            tree.path("agents").forEach(a -> agentNames.add(a.path("name").asText()));
            for (int i = 0; i < 4; i++) {
                String[] leaf = leaves.get(random.nextInt(leaves.size()));
                JsonNode value = tree.at(leaf[0]);
                JsonNode wrongType = value.isTextual() ? YAML.createObjectNode().put("x", 1)
                        : value.isNumber() ? JsonNodeFactory.instance.textNode("lots")
                        : JsonNodeFactory.instance.arrayNode().add(1);
                all.add(mutant(base, "wrong type at " + leaf[0], tree, leaf[0], wrongType));
            }
            for (int i = 0; i < 2; i++) {
                String c = containers.get(random.nextInt(containers.size()));
                JsonNode node = tree.at(c);
                JsonNode swapped = node.isObject() ? JsonNodeFactory.instance.arrayNode().add(1)
                        : YAML.createObjectNode().put("a", 1);
                all.add(mutant(base, "list/map swapped at " + c, tree, c, swapped));
            }
            for (int i = 0; i < 2; i++) {
                String c = objects(tree, containers).get(random.nextInt(objects(tree, containers).size()));
                JsonNode copy = tree.deepCopy();
                ((ObjectNode) copy.at(c)).put("zz-unknown-key", 1);
                all.add(Arguments.of(new Mutant(base + ": unknown key in " + (c.isEmpty() ? "/" : c), bytes(copy), true)));
            }
            for (String required : List.of("/name", "/models", "/agents", "/environment/type", "/agents/0/model")) {
                JsonNode copy = tree.deepCopy();
                String parent = YamlTree.parent(required);
                ((ObjectNode) copy.at(parent)).remove(required.substring(parent.length() + 1));
                all.add(Arguments.of(new Mutant(base + ": missing " + required, bytes(copy), true)));
            }
            leaves.stream().filter(l -> tree.at(l[0]).isIntegralNumber() && !SIGNED.contains(l[1])).limit(3)
                    .forEach(l -> {
                        all.add(mutant(base, "huge " + l[0], tree, l[0],
                                JsonNodeFactory.instance.numberNode(new BigInteger("1000000000000000000000"))));
                        all.add(mutant(base, "1e12 " + l[0], tree, l[0], JsonNodeFactory.instance.numberNode(1_000_000_000_000L)));
                    });
            leaves.stream().filter(l -> tree.at(l[0]).isNumber() && !SIGNED.contains(l[1])).limit(2)
                    .forEach(l -> all.add(mutant(base, "negative " + l[0], tree, l[0],
                            JsonNodeFactory.instance.numberNode(-5))));
            leaves.stream().filter(l -> !l[1].equals("name") && agentNames.contains(tree.at(l[0]).asText())
                            && tree.at(l[0]).isTextual()).limit(3)
                    .forEach(l -> all.add(mutant(base, "bad agent reference " + l[0], tree, l[0],
                            JsonNodeFactory.instance.textNode("nobody-at-all"))));
            leaves.stream().filter(l -> l[1].equals("model")).limit(1)
                    .forEach(l -> all.add(mutant(base, "bad model reference " + l[0], tree, l[0],
                            JsonNodeFactory.instance.textNode(l[0].startsWith("/agents") ? "no-such-model" : ""))));
            leaves.stream().filter(l -> ENUM_KEYS.contains(l[1]) && tree.at(l[0]).isTextual()).limit(3)
                    .forEach(l -> all.add(mutant(base, "bad enum " + l[0], tree, l[0],
                            JsonNodeFactory.instance.textNode("nonsense-value"))));
            containers.stream().filter(c -> UNIQUE_LISTS.contains(c.substring(c.lastIndexOf('/') + 1))
                    && tree.at(c).isArray() && !tree.at(c).isEmpty()).forEach(c -> {
                        JsonNode copy = tree.deepCopy();
                        ((ArrayNode) copy.at(c)).add(copy.at(c).get(0).deepCopy());
                        all.add(Arguments.of(new Mutant(base + ": duplicate in " + c, bytes(copy), true)));
                    });
            byte[] original = text.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 3; i++) {
                int cut = 1 + random.nextInt(original.length - 1);
                all.add(Arguments.of(new Mutant(base + ": truncated at byte " + cut,
                        java.util.Arrays.copyOf(original, cut), false)));
            }
            for (int i = 0; i < 3; i++) {
                byte[] damaged = original.clone();
                for (int k = 0; k < 1 + random.nextInt(4); k++) {
                    damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
                }
                all.add(Arguments.of(new Mutant(base + ": byte damage #" + i, damaged, false)));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void should_report_located_problems_and_nothing_else_when_a_scenario_is_malformed(Mutant mutant) throws IOException {
        copy(SCENARIOS.resolve("prompts"), tmp.resolve("prompts"));
        copy(SCENARIOS.resolve("data"), tmp.resolve("data"));
        Path file = Files.write(tmp.resolve("mutant.yaml"), mutant.bytes());
        try {
            ScenarioLoader.load(file, List.of());
            assertThat(mutant.wrong()).as("a mutant wrong by construction loaded: %s", mutant.label()).isFalse();
        } catch (ScenarioException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> {
                assertThat(p.line() > 0 && p.column() > 0 || p.file().startsWith("--set ")).as("located: %s", p).isTrue();
                assertThat(p.message()).doesNotContain("cannot check this scenario").doesNotContain("\n");
            });
        }
    }

    @Test
    void should_hold_at_least_sixty_mutants_wrong_by_construction_and_load_every_base_unharmed() throws Exception {
        assertThat(corpus().filter(a -> ((Mutant) a.get()[0]).wrong()).count()).isGreaterThanOrEqualTo(60);
        copy(SCENARIOS.resolve("prompts"), tmp.resolve("prompts"));
        copy(SCENARIOS.resolve("data"), tmp.resolve("data"));
        for (String base : BASES) {
            Path file = Files.writeString(tmp.resolve(base + ".yaml"), read(SCENARIOS.resolve(base + ".yaml")));
            assertThat(ScenarioLoader.load(file, List.of()).name()).isNotEmpty();
        }
    }

    private static Arguments mutant(String base, String label, JsonNode tree, String pointer, JsonNode value) {
        JsonNode copy = tree.deepCopy();
        String parent = YamlTree.parent(pointer);
        String last = pointer.substring(parent.length() + 1).replace("~1", "/").replace("~0", "~");
        JsonNode holder = copy.at(parent);
        if (holder instanceof ArrayNode array) {
            array.set(Integer.parseInt(last), value);
        } else {
            ((ObjectNode) holder).set(last, value);
        }
        return Arguments.of(new Mutant(base + ": " + label, bytes(copy), true));
    }

    /** Leaves as {pointer, key}. */
    private static void collect(JsonNode node, String pointer, List<String[]> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                String child = pointer + "/" + YamlTree.escape(e.getKey());
                if (e.getValue().isValueNode()) {
                    out.add(new String[] {child, e.getKey()});
                } else {
                    collect(e.getValue(), child, out);
                }
            });
        } else if (node.isArray()) {
            String key = pointer.substring(pointer.lastIndexOf('/') + 1);
            for (int i = 0; i < node.size(); i++) {
                if (node.get(i).isValueNode()) {
                    out.add(new String[] {pointer + "/" + i, key});
                } else {
                    collect(node.get(i), pointer + "/" + i, out);
                }
            }
        }
    }

    private static void containers(JsonNode node, String pointer, List<String> out) {
        if (!node.isContainerNode()) {
            return;
        }
        if (!pointer.isEmpty() && !pointer.matches(".*/(prompt|rubrics|topology|description)(/.*)?")) {
            out.add(pointer);
        }
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> containers(e.getValue(), pointer + "/" + YamlTree.escape(e.getKey()), out));
        } else {
            for (int i = 0; i < node.size(); i++) {
                containers(node.get(i), pointer + "/" + i, out);
            }
        }
    }

    private static List<String> objects(JsonNode tree, List<String> containers) {
        List<String> out = new ArrayList<>(List.of(""));
        containers.stream().filter(c -> tree.at(c).isObject() && !c.equals("/models")).forEach(out::add);
        return out;
    }

    private static byte[] bytes(JsonNode tree) {
        try {
            return YAML.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
