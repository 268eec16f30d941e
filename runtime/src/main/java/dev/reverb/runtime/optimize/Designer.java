package dev.reverb.runtime.optimize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.runtime.Extensions;

/**
 * A search level's two halves: what the optimizer is asked (the current best design, what may
 * change and the exact answer format) and how an answer becomes a candidate design. A candidate
 * is the best design's tree with the answer applied; an answer that cannot be applied throws
 * {@link IllegalArgumentException} with the reason, which the optimizer is shown next time.
 */
interface Designer {

    /** Names the level in the request's first line, e.g. {@code (prompt level)}; the simulated proposer reads it. */
    String request(ObjectNode best, String score, History history);

    ObjectNode apply(ObjectNode base, String response);

    static Designer of(Level level, Extensions extensions) {
        return switch (level) {
            case PROMPT -> new PromptDesigner();
            case MODULE -> new ModuleDesigner(extensions);
            case AGENT -> new AgentDesigner(extensions);
        };
    }

    /** The design's agents that the search may change: every one but optimizers. */
    static ArrayNode agents(ObjectNode design) {
        ArrayNode out = DesignTree.YAML.createArrayNode();
        for (JsonNode a : design.path("agents")) {
            if (!"optimizer".equals(a.path("role").asText())) {
                out.add(a.deepCopy());
            }
        }
        return out;
    }
}
