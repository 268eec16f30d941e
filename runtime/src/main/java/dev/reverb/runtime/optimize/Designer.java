package dev.reverb.runtime.optimize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.runtime.Extensions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

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

    /** One edit of an answer (a match of the level's line format) applied to the design; each reason it fails goes in {@code errors}. */
    interface Edit {
        void apply(ObjectNode design, MatchResult edit, List<String> errors);
    }

    /**
     * An answer made of edits in a line format ({@code SET} lines, {@code TEMPLATE} blocks): each
     * match of {@code format} applied in turn to a copy of {@code base}. An answer with no match
     * fails with {@code none}; any edit that fails makes the whole answer fail with every reason.
     */
    static ObjectNode applyEdits(ObjectNode base, String response, Pattern format, String none, Edit edit) {
        ObjectNode design = base.deepCopy();
        List<MatchResult> edits = format.matcher(response.replace("\r\n", "\n")).results().toList();
        List<String> errors = new ArrayList<>();
        edits.forEach(m -> edit.apply(design, m, errors));
        if (edits.isEmpty()) {
            errors.add(none);
        }
        return checked(design, errors);
    }

    /** The design, or the answer's failure with every reason in {@code errors}. */
    static ObjectNode checked(ObjectNode design, List<String> errors) {
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        return design;
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
