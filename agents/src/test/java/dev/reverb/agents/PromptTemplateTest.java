package dev.reverb.agents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.agents.model.ChatMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {

    private static final Pattern SECTION = Pattern.compile("\\{\\{#(\\w[\\w-]*)}}(.*?)\\{\\{/\\1}}", Pattern.DOTALL);
    private static final Pattern SLOT = Pattern.compile("\\{\\{([#/]?)(\\w[\\w-]*)}}");

    /** The regex filling the hand-written scanner replaced, kept as the reference it must agree with. */
    private static String byRegex(String template, Map<String, String> values) {
        Matcher sections = SECTION.matcher(template);
        StringBuilder kept = new StringBuilder();
        while (sections.find()) {
            String value = values.getOrDefault(sections.group(1), "");
            sections.appendReplacement(kept, Matcher.quoteReplacement(value.isBlank() ? "" : sections.group(2)));
        }
        sections.appendTail(kept);
        Matcher slots = SLOT.matcher(kept.toString());
        StringBuilder out = new StringBuilder();
        while (slots.find()) {
            String value = slots.group(1).isEmpty() ? values.getOrDefault(slots.group(2), "") : "";
            slots.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        slots.appendTail(out);
        return out.toString().replaceAll("\n{3,}", "\n\n").strip();
    }

    private static List<String> rendered(PromptTemplate template, Map<String, String> values) {
        return template.render(values).stream().map(ChatMessage::content).toList();
    }

    private static List<String> expected(PromptTemplate template, Map<String, String> values) {
        List<String> out = new ArrayList<>();
        String system = byRegex(template.system(), values);
        if (!system.isBlank()) {
            out.add(system);
        }
        out.add(byRegex(template.user(), values));
        return out;
    }

    @Test
    void should_fill_every_built_in_prompt_as_the_regex_did_when_slots_are_filled_blank_or_missing() {
        Random random = new Random(7);
        List<String> texts = List.of("", "  ", "42", "line one\n\n\n\nline two {{task}} $1 \\ {{#answer}}x{{/answer}}",
                "The answer is 7.\n");
        for (Role role : Role.values()) {
            PromptTemplate template = PromptTemplate.defaultFor(role);
            for (int trial = 0; trial < 200; trial++) {
                Map<String, String> values = new HashMap<>();
                for (String slot : PromptTemplate.SLOTS) {
                    int pick = random.nextInt(texts.size() + 1);
                    if (pick < texts.size()) {
                        values.put(slot, texts.get(pick));
                    }
                }
                assertThat(rendered(template, values)).as(role + " " + values).isEqualTo(expected(template, values));
            }
        }
    }

    @Test
    void should_fill_as_the_regex_did_when_tags_are_unclosed_nested_or_malformed() {
        List<String> templates = List.of(
                "{{#a}}open only {{a}}", "{{{a}}}", "{{#a}}x{{/b}} {{/a}}y", "{{#a-b}}k{{/a-b}}{{a-b}}",
                "{{#a}}{{#b}}in{{/b}}{{/a}}", "{{ a }} {{-a}} {{a}", "a\n\n\n\n{{#b}}\n\n\n{{/b}}\n\n\nc",
                "{{#}}{{/}}{{}}", "{{#a}}one{{/a}}{{#a}}two{{/a}}", "end {{");
        for (String user : templates) {
            PromptTemplate template = new PromptTemplate("", user);
            for (Map<String, String> values : List.of(Map.<String, String>of(), Map.of("a", "A", "b", ""),
                    Map.of("a", " ", "b", "B", "a-b", "AB"))) {
                assertThat(rendered(template, values)).as(user + " " + values).isEqualTo(expected(template, values));
            }
        }
    }

    @Test
    void should_fill_as_the_regex_did_when_a_dropped_section_joins_a_tag_or_the_same_template_renders_again() {
        List<String> templates = List.of(
                "{{#a}}x{{/a}}", "{{#b}}drop{{/b}}", "{{#a}}x{{/a}}", "{{#a}}{{/a}}{{task}}", "{{b}}}}", "{{#a}}y{{/a}}",
                "{{#b}}{{/b}}{{#a}}{{{/a}}{task}}", "{{#a}}a{{/a}}{{#b}}b{{/b}}{{#c}}c{{/c}}{{#d}}d{{/d}}{{#e}}e{{/e}}"
                        + "{{#f}}f{{/f}}{{#g}}g{{/g}}{{#h}}h{{/h}}{{#i}}i{{/i}} {{a}}{{i}}",
                "\n\n\n{{#b}}\n{{/b}}\n\n\n{{a}}\n\n\n\nx\n\n{{b}}\n{{task}}\n\n\n", "{{a}}\n\n\n\n\n{{b}}");
        for (String user : templates) {
            PromptTemplate template = new PromptTemplate("{{#a}}sys {{a}}{{/a}}", "{{" + user + "{{task}} " + user);
            for (int repeat = 0; repeat < 2; repeat++) { // the second render reuses what the first one parsed
                for (Map<String, String> values : List.of(Map.<String, String>of(), Map.of("a", "A", "b", "", "task", "T"),
                        Map.of("a", " ", "b", "B", "i", "I", "task", "{{a}}"), Map.of("b", "B", "c", "C", "h", "H"),
                        Map.of("a", "\n", "b", "\n\n\n", "task", "\n\nT\n"), Map.of("a", "A\n", "b", "\nB"))) {
                    assertThat(rendered(template, values)).as(user + " " + values).isEqualTo(expected(template, values));
                }
            }
        }
    }

    @Test
    void should_equal_a_template_of_the_same_texts_when_built_twice() {
        PromptTemplate one = new PromptTemplate("s {{task}}", "u {{#a}}x{{/a}}");
        assertThat(one).isEqualTo(new PromptTemplate("s {{task}}", "u {{#a}}x{{/a}}")).hasSameHashCodeAs(
                new PromptTemplate("s {{task}}", "u {{#a}}x{{/a}}"));
        assertThat(one).isNotEqualTo(new PromptTemplate("s {{task}}", "u {{#a}}y{{/a}}"));
        assertThat(new PromptTemplate(null, "u").system()).isEmpty();
    }

    @Test
    void should_collapse_blank_lines_and_strip_as_in_two_passes_when_the_text_has_runs_of_line_breaks() {
        String[] parts = {"\n", "\n\n", "\n\n\n", " ", "\t", "a", "bc", "\r"};
        java.util.Random random = new java.util.Random(3);
        PromptTemplate template = new PromptTemplate("", "{{task}}");
        for (int n = 0; n < 5_000; n++) {
            StringBuilder value = new StringBuilder("x");
            for (int k = random.nextInt(10); k >= 0; k--) {
                value.insert(random.nextBoolean() ? 0 : value.length(), parts[random.nextInt(parts.length)]);
            }
            String expected = value.toString().replaceAll("\n{3,}", "\n\n").strip();
            assertThat(template.render(java.util.Map.of("task", value.toString())).get(0).content())
                    .as("%s", value).isEqualTo(expected);
        }
    }
}
