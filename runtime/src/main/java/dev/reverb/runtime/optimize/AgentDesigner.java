package dev.reverb.runtime.optimize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.Role;
import dev.reverb.agents.protocol.ProtocolDescriptor;
import dev.reverb.environments.SettingsSpec;
import dev.reverb.runtime.Extensions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Agent level (ADAS-style): the meta-agent sees the best design's agents and protocols, the
 * protocol types it may use and the archive of designs tried with their scores, and answers with a
 * scenario fragment: {@code agents:} (new or changed agents, by name) and {@code protocols:} (the
 * whole new list). The fragment is merged into the best design; the loader's checks then catch
 * unknown agents, bad settings and the rest.
 */
final class AgentDesigner implements Designer {

    private static final Pattern FENCE = Pattern.compile("```(?:yaml|yml)?\\s*\\n(.*?)```", Pattern.DOTALL);

    private final Extensions extensions;

    AgentDesigner(Extensions extensions) {
        this.extensions = extensions;
    }

    @Override
    public String request(ObjectNode best, String score, History history) {
        StringBuilder out = new StringBuilder("Design the team of a multi-agent system (agent level): new roles with "
                + "their prompts, and team compositions.\nA design is scored by its accuracy on development tasks; "
                + "fewer tokens break ties.\n\nRoles: ");
        out.append(String.join(", ", Arrays.stream(Role.values()).filter(r -> r != Role.OPTIMIZER).map(Role::id)
                .toList())).append("\nProtocol types and their settings:\n");
        for (ProtocolDescriptor d : extensions.protocols()) {
            List<String> keys = new ArrayList<>();
            for (SettingsSpec.Key k : d.settings().keys().values()) {
                keys.add(k.name() + (k.required() ? "*" : "") + " (" + k.kind().name().toLowerCase(java.util.Locale.ROOT)
                        + ")");
            }
            out.append("- ").append(d.type()).append(": ").append(String.join(", ", keys)).append('\n');
        }
        ObjectNode shown = DesignTree.YAML.createObjectNode();
        shown.set("agents", Designer.agents(best));
        shown.set("protocols", best.path("protocols"));
        out.append("\nCurrent best design (").append(score).append("):\n```yaml\n").append(DesignTree.write(shown))
                .append("```\n");
        out.append(history.text());
        out.append("\nAnswer with a YAML fragment in a ```yaml block: agents: (new or changed agents, each with name, "
                + "role, model and prompt {system, user}) and protocols: (the complete new list of protocols).\n");
        return out.toString();
    }

    @Override
    public ObjectNode apply(ObjectNode base, String response) {
        Matcher m = FENCE.matcher(response);
        ObjectNode fragment = DesignTree.read(m.find() ? m.group(1) : response);
        List<String> errors = new ArrayList<>();
        for (Iterator<String> keys = fragment.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!key.equals("agents") && !key.equals("protocols")) {
                errors.add("'" + key + "': a fragment has only agents: and protocols:");
            }
        }
        if (!fragment.has("agents") && !fragment.has("protocols")) {
            errors.add("the fragment has neither agents: nor protocols:");
        }
        ObjectNode design = base.deepCopy();
        JsonNode agents = fragment.path("agents");
        if (fragment.has("agents") && !agents.isArray()) {
            errors.add("agents: must be a list of agents");
        }
        for (JsonNode a : agents.isArray() ? agents : DesignTree.YAML.createArrayNode()) {
            String name = a.path("name").asText("");
            if (!a.isObject() || name.isBlank()) {
                errors.add("every agent needs a name");
                continue;
            }
            if ("optimizer".equals(a.path("role").asText())) {
                errors.add("agent '" + name + "': the optimizer is not part of the design");
                continue;
            }
            ArrayNode list = (ArrayNode) design.path("agents");
            int at = DesignTree.indexOf(list, name);
            if (at >= 0 && "optimizer".equals(list.get(at).path("role").asText())) {
                errors.add("agent '" + name + "' is the optimizer's name");
            } else if (at >= 0) {
                list.set(at, a);
            } else {
                list.add(a);
            }
        }
        if (fragment.has("protocols")) {
            if (!fragment.path("protocols").isArray() || fragment.path("protocols").isEmpty()) {
                errors.add("protocols: must be a non-empty list");
            } else {
                design.set("protocols", fragment.path("protocols"));
            }
        }
        return Designer.checked(design, errors);
    }
}
