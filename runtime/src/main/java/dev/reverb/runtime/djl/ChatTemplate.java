package dev.reverb.runtime.djl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import dev.reverb.agents.model.ChatMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns chat messages into the prompt text a model was trained on: the Jinja {@code chat_template}
 * of the model's {@code tokenizer_config.json}, rendered with Jinjava. Without a template (or when
 * Jinjava cannot render it) the documented fallback is used: each message as {@code Role: text}
 * separated by blank lines, then {@code Assistant:}.
 */
public final class ChatTemplate {

    private final String template;
    private final String bos;
    private final String eos;
    private final Jinjava jinja = new Jinjava();

    private ChatTemplate(String template, String bos, String eos) {
        this.template = template;
        this.bos = bos;
        this.eos = eos;
    }

    /** The template of a model folder (the fallback when it has none). */
    public static ChatTemplate of(Path modelDir) throws IOException {
        Path file = modelDir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(file)) {
            return new ChatTemplate(null, "", "");
        }
        JsonNode config = new ObjectMapper().readTree(file.toFile());
        JsonNode t = config.path("chat_template");
        String template = t.isTextual() ? t.asText() : t.isArray() && t.size() > 0 ? t.get(0).path("template").asText(null) : null;
        return new ChatTemplate(template, token(config.path("bos_token")), token(config.path("eos_token")));
    }

    private static String token(JsonNode node) {
        return node.isTextual() ? node.asText() : node.path("content").asText("");
    }

    /** Whether the rendered text already holds the special tokens (so the tokenizer must not add them). */
    public boolean hasTemplate() {
        return template != null;
    }

    public String render(List<ChatMessage> messages) {
        if (template != null) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (ChatMessage m : messages) {
                list.add(Map.of("role", m.role().name().toLowerCase(Locale.ROOT), "content", m.content()));
            }
            Map<String, Object> context = new HashMap<>();
            context.put("messages", list);
            context.put("add_generation_prompt", true);
            context.put("bos_token", bos);
            context.put("eos_token", eos);
            try {
                String text = jinja.render(template, context);
                if (!text.isBlank()) {
                    return text;
                }
            } catch (RuntimeException e) {
                // fall through to the documented fallback
            }
        }
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            String role = m.role().name().charAt(0) + m.role().name().substring(1).toLowerCase(Locale.ROOT);
            sb.append(role).append(": ").append(m.content()).append("\n\n");
        }
        return sb.append("Assistant:").toString();
    }
}
