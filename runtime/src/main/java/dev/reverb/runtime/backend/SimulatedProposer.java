package dev.reverb.runtime.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulated stand-in playing an optimizer ({@code reverb optimize}) offline, for demos and
 * tests. It does <b>not</b> reason about results: it perturbs the current best design the request
 * shows, choosing by its seed. Prompt level: it appends one of a few canned instructions to every
 * template shown. Module level: it picks one of the legal edits the request lists. Agent level: it
 * adds one more member to the first protocol's team (a copy of its first member with a canned
 * instruction), or replaces its solver by such a copy. A request it cannot read gets a labelled reply.
 */
final class SimulatedProposer {

    /** The canned instructions it tries; a scenario's {@code simulated.cues} may reward one. */
    static final List<String> INSTRUCTIONS = List.of(
            "Check each intermediate result before you state the final answer.",
            "Restate the question in your own words first.",
            "Keep your answer as short as you can.",
            "Name the quantities you are given before you start.");

    private static final Pattern TEMPLATE = Pattern.compile(
            "(?m)^TEMPLATE[ \\t]+(\\S+)\\n\\[system]\\n(.*?)\\n\\[user]\\n(.*?)\\n^END$", Pattern.DOTALL);
    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);
    private static final YAMLMapper YAML = new YAMLMapper();

    private SimulatedProposer() {
    }

    static String propose(String request, long seed) {
        if (request.contains("(prompt level)")) {
            return prompts(request, seed);
        }
        if (request.contains("(module level)")) {
            return module(request, seed);
        }
        if (request.contains("(agent level)")) {
            return agents(request, seed);
        }
        return "I cannot propose anything. (simulated optimizer: the request names no level it knows)";
    }

    private static String instruction(long seed, String notIn) {
        int at = (int) Math.floorMod(seed, (long) INSTRUCTIONS.size());
        for (int i = 0; i < INSTRUCTIONS.size(); i++) {
            String s = INSTRUCTIONS.get((at + i) % INSTRUCTIONS.size());
            if (!notIn.contains(s)) {
                return s;
            }
        }
        return INSTRUCTIONS.get(at);
    }

    private static String prompts(String request, long seed) {
        Matcher m = TEMPLATE.matcher(request.substring(Math.max(0, request.indexOf("Current best design"))));
        StringBuilder out = new StringBuilder("Adding one instruction to every template. (simulated optimizer)\n");
        String added = null;
        while (m.find()) {
            added = added != null ? added : instruction(seed, m.group(2));
            out.append("TEMPLATE ").append(m.group(1)).append("\n[system]\n").append((m.group(2) + " " + added).strip())
                    .append("\n[user]\n").append(m.group(3)).append("\nEND\n");
        }
        return added == null ? "I see no template to rewrite. (simulated optimizer)" : out.toString();
    }

    private static String module(String request, long seed) {
        int at = request.indexOf("Legal edits");
        List<String> edits = at < 0 ? List.of() : request.substring(at).lines().skip(1)
                .takeWhile(l -> l.startsWith("SET ")).toList();
        if (edits.isEmpty()) {
            return "I see no legal edit to make. (simulated optimizer)";
        }
        return edits.get((int) Math.floorMod(seed, (long) edits.size())) + "\n";
    }

    private static String agents(String request, long seed) {
        Matcher m = YAML_BLOCK.matcher(request.substring(Math.max(0, request.indexOf("Current best design"))));
        try {
            JsonNode design = m.find() ? YAML.readTree(m.group(1)) : null;
            if (design == null || !design.path("protocols").isArray() || design.path("protocols").isEmpty()) {
                return "I see no design to change. (simulated optimizer)";
            }
            ArrayNode protocols = (ArrayNode) design.path("protocols").deepCopy();
            ObjectNode first = (ObjectNode) protocols.get(0);
            List<String> names = new ArrayList<>();
            design.path("agents").forEach(a -> names.add(a.path("name").asText()));
            String member = null;
            String key = null;
            for (var it = first.fields(); it.hasNext() && member == null; ) {
                var f = it.next();
                if (f.getValue().isArray() && !f.getValue().isEmpty() && names.contains(f.getValue().get(0).asText())) {
                    member = f.getValue().get(0).asText();
                    key = f.getKey();
                } else if (f.getKey().equals("solver") && names.contains(f.getValue().asText())) {
                    member = f.getValue().asText();
                    key = f.getKey();
                }
            }
            if (member == null) {
                return "I see no team to change. (simulated optimizer)";
            }
            ObjectNode agent = null;
            for (JsonNode a : design.path("agents")) {
                if (a.path("name").asText().equals(member)) {
                    agent = (ObjectNode) a.deepCopy();
                }
            }
            String name = agent.path("role").asText() + "-" + (names.size() + 1);
            ObjectNode prompt = agent.with("prompt");
            prompt.put("system", (prompt.path("system").asText("") + " " + instruction(seed, prompt.path("system")
                    .asText(""))).strip());
            agent.put("name", name);
            if (first.path(key).isArray()) {
                ((ArrayNode) first.path(key)).add(name);
            } else {
                first.put(key, name);
            }
            ObjectNode fragment = YAML.createObjectNode();
            fragment.putArray("agents").add(agent);
            fragment.set("protocols", protocols);
            return "A new member for the team. (simulated optimizer)\n```yaml\n" + YAML.writeValueAsString(fragment)
                    + "```\n";
        } catch (JsonProcessingException | RuntimeException e) {
            return "I cannot read the design. (simulated optimizer: " + e.getMessage() + ")";
        }
    }
}
