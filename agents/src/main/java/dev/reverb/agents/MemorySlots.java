package dev.reverb.agents;

import dev.reverb.memory.MemoryItem;
import dev.reverb.memory.Recall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Memory as prompt slots: {@code successes}, {@code failures} and {@code examples} (experiential),
 * {@code lessons} (reflective), {@code insights} (concept, numbered), and {@code memory}, all of
 * them in titled sections. Empty slots are empty strings, so a template's {@code {{#slot}}}
 * sections disappear.
 */
public final class MemorySlots {

    private MemorySlots() {
    }

    /** The ids of the items a template with these slots shows. */
    public static List<String> shown(Recall recall, Set<String> slots) {
        Set<String> ids = new LinkedHashSet<>();
        boolean all = slots.contains("memory");
        if (all || slots.contains("examples") || slots.contains("successes")) {
            recall.successes().forEach(i -> ids.add(i.id()));
        }
        if (all || slots.contains("examples") || slots.contains("failures")) {
            recall.failures().forEach(i -> ids.add(i.id()));
        }
        if (all || slots.contains("lessons")) {
            recall.reflections().forEach(i -> ids.add(i.id()));
        }
        if (all || slots.contains("insights")) {
            recall.insights().forEach(i -> ids.add(i.id()));
        }
        return List.copyOf(ids);
    }

    public static Map<String, String> of(Recall recall) {
        int max = recall.limits().maxChars();
        String successes = examples(recall.successes(), "solved", max);
        String failures = examples(recall.failures(), "not solved", max);
        String lessons = String.join("\n", recall.reflections().stream().map(i -> "- " + cut(i.text(), max)).toList());
        List<String> numbered = new ArrayList<>();
        for (int i = 0; i < recall.insights().size(); i++) {
            numbered.add((i + 1) + ". " + cut(recall.insights().get(i).text(), max));
        }
        String insights = String.join("\n", numbered);
        Map<String, String> slots = new HashMap<>();
        slots.put("successes", successes);
        slots.put("failures", failures);
        slots.put("examples", join("\n\n", successes, failures));
        slots.put("lessons", lessons);
        slots.put("insights", insights);
        slots.put("memory", join("\n\n", section("Insights from earlier tasks:", insights),
                section("Similar tasks solved before:", successes), section("Similar tasks that went wrong:", failures),
                section("Reflections on similar tasks:", lessons)));
        return slots;
    }

    private static String examples(List<MemoryItem> items, String outcome, int max) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            out.add("Example " + (i + 1) + " (" + outcome + "):\n" + cut(items.get(i).text(), max));
        }
        return String.join("\n\n", out);
    }

    private static String section(String title, String body) {
        return body.isEmpty() ? "" : title + "\n" + body;
    }

    private static String join(String separator, String... parts) {
        return String.join(separator, java.util.Arrays.stream(parts).filter(p -> !p.isEmpty()).toList());
    }

    /** At most {@code max} characters of the text, marked with "..." when cut. */
    public static String cut(String text, int max) {
        String t = text.strip();
        return t.length() <= max ? t : t.substring(0, Math.max(0, max - 3)).stripTrailing() + "...";
    }
}
