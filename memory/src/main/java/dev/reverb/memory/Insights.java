package dev.reverb.memory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Concept memory's list of insights and how {@link InsightOps} edit it (ExpeL's rules): a new
 * insight starts with importance 2, an edit or an upvote adds 1, a downvote takes 1, and an
 * insight whose importance reaches 0 is pruned; REMOVE deletes at once. Insights are
 * {@link MemoryKind#CONCEPT} items whose importance is the tag {@value #IMPORTANCE}.
 */
public final class Insights {

    public static final String IMPORTANCE = "importance";
    static final int NEW_IMPORTANCE = 2;

    /**
     * What a set of operations changed.
     *
     * @param list     the insights after the operations, most important first
     * @param upserted items to put (new or changed)
     * @param removed  ids to delete
     * @param problems operations that could not be applied, with why
     */
    public record Change(List<MemoryItem> list, List<MemoryItem> upserted, List<String> removed, List<String> problems) {
        public Change {
            list = List.copyOf(list);
            upserted = List.copyOf(upserted);
            removed = List.copyOf(removed);
            problems = List.copyOf(problems);
        }
    }

    private Insights() {
    }

    public static int importance(MemoryItem insight) {
        try {
            return Integer.parseInt(insight.tags().getOrDefault(IMPORTANCE, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Most important first, then oldest first: the order insights are numbered in prompts. */
    public static List<MemoryItem> ordered(List<MemoryItem> insights) {
        return insights.stream()
                .sorted(Comparator.comparingInt(Insights::importance).reversed()
                        .thenComparing(MemoryItem::createdAt).thenComparing(MemoryItem::id))
                .toList();
    }

    /** The insights numbered from 1 as a model is shown them; the numbers the operations refer to. */
    public static String numbered(List<MemoryItem> ordered) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ordered.size(); i++) {
            sb.append(i == 0 ? "" : "\n").append(i + 1).append(". ").append(ordered.get(i).text());
        }
        return sb.toString();
    }

    /**
     * Applies operations to a list.
     *
     * @param shown    the list as numbered for the model ({@link #ordered})
     * @param ops      the model's operations; numbers refer to {@code shown}
     * @param template scope and tags for new insights
     * @param ids      makes the id of each new insight
     * @param now      the time new and edited insights get
     */
    public static Change apply(List<MemoryItem> shown, List<InsightOps.Op> ops, MemoryItem template,
                               Supplier<String> ids, Instant now) {
        Map<String, MemoryItem> current = new LinkedHashMap<>();
        shown.forEach(i -> current.put(i.id(), i));
        Map<String, MemoryItem> upserted = new LinkedHashMap<>();
        List<String> removed = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, String> byText = new HashMap<>();
        shown.forEach(i -> byText.put(key(i.text()), i.id()));
        for (InsightOps.Op op : ops) {
            if (op.verb() == InsightOps.Verb.ADD) {
                String same = byText.get(key(op.text()));
                if (same != null && current.containsKey(same)) {
                    vote(current, upserted, removed, same, 1, null, now); // adding what is there agrees with it
                } else {
                    MemoryItem added = with(template, ids.get(), op.text(), NEW_IMPORTANCE, now);
                    current.put(added.id(), added);
                    upserted.put(added.id(), added);
                    byText.put(key(op.text()), added.id());
                }
                continue;
            }
            if (op.target() > shown.size()) {
                problems.add("line " + op.line() + ": " + op.verb() + " " + op.target() + ": there are only "
                        + shown.size() + " insights");
                continue;
            }
            String id = shown.get(op.target() - 1).id();
            if (!current.containsKey(id)) {
                problems.add("line " + op.line() + ": " + op.verb() + " " + op.target() + ": that insight was already removed");
                continue;
            }
            switch (op.verb()) {
                case EDIT -> vote(current, upserted, removed, id, 1, op.text(), now);
                case UPVOTE -> vote(current, upserted, removed, id, 1, null, now);
                case DOWNVOTE -> vote(current, upserted, removed, id, -1, null, now);
                case REMOVE -> {
                    current.remove(id);
                    upserted.remove(id);
                    removed.add(id);
                }
                default -> throw new IllegalStateException(op.verb().toString());
            }
        }
        return new Change(ordered(new ArrayList<>(current.values())), new ArrayList<>(upserted.values()), removed,
                problems);
    }

    private static void vote(Map<String, MemoryItem> current, Map<String, MemoryItem> upserted, List<String> removed,
                             String id, int delta, String newText, Instant now) {
        MemoryItem item = current.get(id);
        int importance = importance(item) + delta;
        if (importance <= 0) {
            current.remove(id);
            upserted.remove(id);
            removed.add(id);
            return;
        }
        MemoryItem changed = with(item, id, newText == null ? item.text() : newText, importance,
                newText == null ? item.createdAt() : now);
        current.put(id, changed);
        upserted.put(id, changed);
    }

    private static MemoryItem with(MemoryItem base, String id, String text, int importance, Instant created) {
        Map<String, String> tags = new HashMap<>(base.tags());
        tags.put(IMPORTANCE, Integer.toString(importance));
        return new MemoryItem(id, MemoryKind.CONCEPT, base.scope(), text, created, tags);
    }

    private static String key(String text) {
        return text.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").replaceAll("[.!]+$", "");
    }
}
