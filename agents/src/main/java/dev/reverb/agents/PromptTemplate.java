package dev.reverb.agents;

import dev.reverb.agents.model.ChatMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt with named slots. {@code {{task}}} is replaced by the slot's text;
 * {@code {{#feedback}}...{{/feedback}}} keeps its body only when the slot is non-empty, so one
 * template serves a first attempt and a retry.
 *
 * <p>A template file may hold a {@code [system]} and a {@code [user]} section, each on its own
 * line; a file without sections is all user message.
 */
public record PromptTemplate(String system, String user) {

    /** The slots protocols fill. */
    public static final Set<String> SLOTS = Set.of(
            "task",        // the task's question
            "answer",      // this agent's previous answer
            "others",      // the other agents' latest answers and reasoning
            "feedback",    // the verifier's or a critic's feedback on the previous answer
            "reflections", // verbal reflections written so far
            "memory",      // everything retrieved from memory, in sections
            "examples",    // similar past trajectories, solved and not (experiential memory)
            "successes",   // similar past trajectories that were solved; for a distiller, recent successes
            "failures",    // similar past trajectories that were not; for a distiller, recent failures
            "lessons",     // reflections written on similar tasks (reflective memory)
            "insights",    // general insights of this kind of task (concept memory), numbered
            "candidate",   // the answer under critique or reflection
            "rubric",      // what a critic judges by
            "instruction", // the instructor's latest instruction (role play)
            "steps",       // the reasoning steps so far, numbered (step-by-step search)
            "step",        // the number of the step to write now (step-by-step search)
            "round");      // the 1-based round or trial number

    private static final Pattern SECTION = Pattern.compile("\\{\\{#(\\w[\\w-]*)}}(.*?)\\{\\{/\\1}}", Pattern.DOTALL);
    private static final Pattern SLOT = Pattern.compile("\\{\\{([#/]?)(\\w[\\w-]*)}}");

    public PromptTemplate {
        system = system == null ? "" : system;
        Objects.requireNonNull(user, "user");
        if (user.isBlank()) {
            throw new IllegalArgumentException("a prompt template needs a user message");
        }
    }

    /** Parses a template file's text (see the class comment for its sections). */
    public static PromptTemplate parse(String text) {
        String t = text.replace("\r\n", "\n");
        int s = t.indexOf("[system]\n");
        int u = t.indexOf("[user]\n");
        if (u < 0) {
            return new PromptTemplate("", t.strip());
        }
        String system = s < 0 ? "" : t.substring(s + "[system]\n".length(), s < u ? u : t.length()).strip();
        String user = t.substring(u + "[user]\n".length(), s > u ? s : t.length()).strip();
        return new PromptTemplate(system, user);
    }

    /** The built-in template of a role (from {@code dev/reverb/agents/prompts/ROLE.txt}). */
    public static PromptTemplate defaultFor(Role role) {
        String path = "prompts/" + role.id() + ".txt";
        try (InputStream in = PromptTemplate.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing built-in prompt " + path);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every slot name the template mentions, in order of first use. */
    public Set<String> slots() {
        Set<String> names = new LinkedHashSet<>();
        for (String part : List.of(system, user)) {
            Matcher m = SLOT.matcher(part);
            while (m.find()) {
                names.add(m.group(2));
            }
        }
        return names;
    }

    /** Slot names the template mentions that no protocol fills (a typo, usually). */
    public Set<String> unknownSlots() {
        Set<String> unknown = new LinkedHashSet<>(slots());
        unknown.removeAll(SLOTS);
        return unknown;
    }

    /**
     * Fills the slots; a missing slot counts as empty. The list is unmodifiable, so a request made of
     * it does not copy it again (this runs for every agent turn).
     */
    public List<ChatMessage> render(Map<String, String> values) {
        String sys = fill(system, values);
        ChatMessage userMessage = ChatMessage.user(fill(user, values));
        return sys.isBlank() ? List.of(userMessage) : List.of(ChatMessage.system(sys), userMessage);
    }

    /**
     * The two passes the patterns {@link #SECTION} and {@link #SLOT} describe, scanned by hand (this
     * runs for every agent turn): sections kept or dropped, then slots filled (a value is never
     * scanned again), then runs of three or more line breaks cut to two.
     */
    private static String fill(String template, Map<String, String> values) {
        String kept = template.contains("{{#") ? sections(template, values) : template;
        int room = kept.length();
        for (String value : values.values()) { // room for every value once: the text is built without regrowing
            room += value == null ? 0 : value.length();
        }
        StringBuilder out = new StringBuilder(room);
        int last = 0;
        for (int i = kept.indexOf("{{"); i >= 0; i = kept.indexOf("{{", i)) {
            int end = tagEnd(kept, i, false);
            if (end < 0) {
                i++;
                continue;
            }
            out.append(kept, last, i);
            char c = kept.charAt(i + 2);
            if (c != '#' && c != '/') {
                out.append(values.getOrDefault(kept.substring(i + 2, end - 2), ""));
            }
            last = end;
            i = end;
        }
        out.append(kept, last, kept.length());
        return collapseBlankLinesAndStrip(out);
    }

    /** Keeps the body of each {@code {{#name}}...{{/name}}} whose slot is not blank, drops the others. */
    private static String sections(String template, Map<String, String> values) {
        StringBuilder kept = new StringBuilder(template.length());
        int last = 0;
        for (int i = template.indexOf("{{#"); i >= 0; i = template.indexOf("{{#", i)) {
            int open = tagEnd(template, i, true);
            String close = open < 0 ? null : "{{/" + template.substring(i + 3, open - 2) + "}}";
            int closing = open < 0 ? -1 : template.indexOf(close, open);
            if (closing < 0) {
                i++;
                continue;
            }
            kept.append(template, last, i);
            if (!values.getOrDefault(template.substring(i + 3, open - 2), "").isBlank()) {
                kept.append(template, open, closing);
            }
            last = closing + close.length();
            i = last;
        }
        return kept.append(template, last, template.length()).toString();
    }

    /**
     * Where the tag {@code {{name}}}, {@code {{#name}}} or {@code {{/name}}} starting at {@code i} ends
     * (after its braces), or -1 when none starts there; {@code section} allows only {@code {{#name}}}.
     */
    private static int tagEnd(String s, int i, boolean section) {
        int j = i + 2;
        int n = s.length();
        if (j < n && (s.charAt(j) == '#' || !section && s.charAt(j) == '/')) {
            j++;
        } else if (section) {
            return -1;
        }
        if (j >= n || !word(s.charAt(j))) {
            return -1;
        }
        j++;
        while (j < n && (word(s.charAt(j)) || s.charAt(j) == '-')) {
            j++;
        }
        return s.startsWith("}}", j) ? j + 2 : -1;
    }

    /** A regex {@code \w} character: ASCII letter, digit or underscore. */
    private static boolean word(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    /**
     * {@code text} stripped (as {@link String#strip}), every run of three or more line breaks in it as
     * two, copied once (the same text as collapsing first: a run at either end is stripped whole).
     */
    private static String collapseBlankLinesAndStrip(StringBuilder text) {
        int start = 0;
        int end = text.length();
        while (start < end && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        int run = text.indexOf("\n\n\n", start);
        if (run < 0 || run >= end) {
            return text.substring(start, end);
        }
        StringBuilder out = new StringBuilder(end - start);
        int from = start;
        while (run >= 0 && run < end) {
            out.append(text, from, run + 2);
            int after = run + 2;
            while (after < end && text.charAt(after) == '\n') {
                after++;
            }
            from = after;
            run = text.indexOf("\n\n\n", from);
        }
        return out.append(text, from, end).toString();
    }
}
