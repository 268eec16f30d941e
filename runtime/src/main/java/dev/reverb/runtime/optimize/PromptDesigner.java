package dev.reverb.runtime.optimize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.PromptTemplate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * Prompt level (OPRO-style): the optimizer sees every agent's template with the best design's dev
 * score and the history, and answers with rewritten templates, one {@code TEMPLATE agent ... END}
 * block each. A rewrite must name an agent of the design and keep every slot its template had.
 */
final class PromptDesigner implements Designer {

    static final Pattern BLOCK = Pattern.compile("(?m)^TEMPLATE[ \\t]+(\\S+)[ \\t]*\\n(.*?)\\n^END[ \\t]*$", Pattern.DOTALL);

    @Override
    public String request(ObjectNode best, String score, History history) {
        StringBuilder out = new StringBuilder("Improve the prompt templates of a multi-agent system (prompt level).\n")
                .append("A design is scored by its accuracy on development tasks; fewer tokens break ties.\n\n")
                .append("Current best design (").append(score).append("), its templates:\n");
        for (JsonNode a : Designer.agents(best)) {
            out.append(block(a.path("name").asText(), a.path("prompt").path("system").asText(""),
                    a.path("prompt").path("user").asText()));
        }
        out.append(history.text());
        out.append("\nRewrite one or more templates. Keep every {{slot}} a template has; slots are filled by the "
                        + "protocol: ").append(String.join(", ", new java.util.TreeSet<>(PromptTemplate.SLOTS)))
                .append(".\nAnswer with one block per rewritten template, exactly:\nTEMPLATE <agent name>\n[system]\n"
                        + "<system message>\n[user]\n<user message>\nEND\n");
        return out.toString();
    }

    static String block(String agent, String system, String user) {
        return "TEMPLATE " + agent + "\n[system]\n" + system.strip() + "\n[user]\n" + user.strip() + "\nEND\n";
    }

    @Override
    public ObjectNode apply(ObjectNode base, String response) {
        return Designer.applyEdits(base, response, BLOCK,
                "no TEMPLATE block found: answer with TEMPLATE <agent>, [system], [user], END", PromptDesigner::rewrite);
    }

    /** One {@code TEMPLATE} block: the agent's new template, which must keep every slot the current one has. */
    private static void rewrite(ObjectNode design, MatchResult m, List<String> errors) {
        String agent = m.group(1);
        int index = DesignTree.indexOf((ArrayNode) design.path("agents"), agent);
        JsonNode node = index < 0 ? null : design.path("agents").get(index);
        if (node == null || agent.matches("\\d+") || "optimizer".equals(node.path("role").asText())) {
            List<String> names = new ArrayList<>();
            Designer.agents(design).forEach(a -> names.add(a.path("name").asText()));
            errors.add("unknown agent '" + agent + "' (agents: " + String.join(", ", names) + ")");
            return;
        }
        PromptTemplate rewrite;
        try {
            rewrite = PromptTemplate.parse(m.group(2));
        } catch (IllegalArgumentException e) {
            errors.add("template of '" + agent + "': " + e.getMessage());
            return;
        }
        PromptTemplate current = new PromptTemplate(node.path("prompt").path("system").asText(""),
                node.path("prompt").path("user").asText("{{task}}"));
        Set<String> dropped = new LinkedHashSet<>(current.slots());
        dropped.removeAll(rewrite.slots());
        if (!dropped.isEmpty()) {
            errors.add("template of '" + agent + "' drops slot(s) " + dropped.stream().map(s -> "{{" + s + "}}")
                    .toList() + "; keep every slot it had");
        }
        if (!rewrite.unknownSlots().isEmpty()) {
            errors.add("template of '" + agent + "' uses unknown slot(s) " + rewrite.unknownSlots());
        }
        ObjectNode prompt = ((ObjectNode) node).putObject("prompt");
        prompt.put("system", rewrite.system()).put("user", rewrite.user());
    }
}
