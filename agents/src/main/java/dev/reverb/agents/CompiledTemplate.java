package dev.reverb.agents;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One part (system or user) of a {@link PromptTemplate}, parsed once: its sections (which text each
 * {@code {{#name}}...{{/name}}} spans) and, for each choice of kept sections, the text as literal
 * pieces and slot names, so that a render (every agent turn) only looks up the slots and copies the
 * pieces and values into one buffer of the exact size.
 *
 * <p>The result is that of the two passes the class comment of {@link PromptTemplate} describes:
 * sections kept or dropped (a section's name slot not blank), then slots filled in the text that is
 * left (a value is never scanned again), then runs of three or more line breaks cut to two and the
 * text stripped. Which sections there are does not depend on the values; the text that is left for
 * each choice of kept sections is scanned for slots as a whole, so a tag that only forms where a
 * dropped section joins its neighbours is read as before.
 */
final class CompiledTemplate {

    /** Choices of kept sections cached per template (2^8); a template with more sections is scanned per render. */
    private static final int MAX_CACHED_SECTIONS = 8;

    /** The template's text between sections, one more than {@link #names}. */
    private final String[] between;
    /** Each section's slot name and body, in order. */
    private final String[] names;
    private final String[] bodies;
    /** The text left for each choice of kept sections (bit i: section i kept), made on first use. */
    private final Filling[] fillings;

    private CompiledTemplate(List<String> between, List<String> names, List<String> bodies) {
        this.between = between.toArray(String[]::new);
        this.names = names.toArray(String[]::new);
        this.bodies = bodies.toArray(String[]::new);
        this.fillings = this.names.length <= MAX_CACHED_SECTIONS ? new Filling[1 << this.names.length] : null;
    }

    /**
     * The sections of {@code template}, found as the scan of {@code {{#name}}} and the first
     * {@code {{/name}}} after it did: an opening tag without its closing tag is text.
     */
    static CompiledTemplate of(String template) {
        List<String> between = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> bodies = new ArrayList<>();
        int last = 0;
        for (int i = template.indexOf("{{#"); i >= 0; i = template.indexOf("{{#", i)) {
            int open = tagEnd(template, i, true);
            String close = open < 0 ? null : "{{/" + template.substring(i + 3, open - 2) + "}}";
            int closing = open < 0 ? -1 : template.indexOf(close, open);
            if (closing < 0) {
                i++;
                continue;
            }
            between.add(template.substring(last, i));
            names.add(template.substring(i + 3, open - 2));
            bodies.add(template.substring(open, closing));
            last = closing + close.length();
            i = last;
        }
        between.add(template.substring(last));
        return new CompiledTemplate(between, names, bodies);
    }

    /** The text filled with {@code values} (a missing slot counts as empty). */
    String fill(Map<String, String> values) {
        if (fillings == null) {
            return filling(values).fill(values);
        }
        int kept = 0;
        for (int s = 0; s < names.length; s++) {
            if (kept(s, values)) {
                kept |= 1 << s;
            }
        }
        Filling filling = fillings[kept];
        if (filling == null) { // a benign race: every thread makes the same immutable filling
            filling = filling(values);
            fillings[kept] = filling;
        }
        return filling.fill(values);
    }

    /** Whether section {@code s} is kept: its slot is not blank. */
    private boolean kept(int s, Map<String, String> values) {
        return !values.getOrDefault(names[s], "").isBlank();
    }

    /** The text left when {@code values} choose which sections are kept, as a {@link Filling}. */
    private Filling filling(Map<String, String> values) {
        StringBuilder text = new StringBuilder(between[0]);
        for (int s = 0; s < names.length; s++) {
            if (kept(s, values)) {
                text.append(bodies[s]);
            }
            text.append(between[s + 1]);
        }
        return Filling.of(text.toString());
    }

    /** The text left after the sections, as literal pieces around its slots ({@code pieces} one more than {@code slots}). */
    private record Filling(String[] pieces, String[] slots, int piecesLength, String constant) {

        static Filling of(String kept) {
            List<String> pieces = new ArrayList<>();
            List<String> slots = new ArrayList<>();
            StringBuilder piece = new StringBuilder();
            int last = 0;
            for (int i = kept.indexOf("{{"); i >= 0; i = kept.indexOf("{{", i)) {
                int end = tagEnd(kept, i, false);
                if (end < 0) {
                    i++;
                    continue;
                }
                piece.append(kept, last, i);
                char c = kept.charAt(i + 2);
                if (c != '#' && c != '/') { // a section's leftover tag is dropped; a slot ends the piece
                    pieces.add(piece.toString());
                    piece.setLength(0);
                    slots.add(kept.substring(i + 2, end - 2));
                }
                last = end;
                i = end;
            }
            pieces.add(piece.append(kept, last, kept.length()).toString());
            int length = 0;
            for (int p = 0; p < pieces.size(); p++) {
                pieces.set(p, shortRuns(pieces.get(p)));
                length += pieces.get(p).length();
            }
            String constant = slots.isEmpty() ? collapseBlankLinesAndStrip(new StringBuilder(pieces.get(0))) : null;
            return new Filling(pieces.toArray(String[]::new), slots.toArray(String[]::new), length, constant);
        }

        String fill(Map<String, String> values) {
            if (constant != null) {
                return constant;
            }
            String[] filled = new String[slots.length];
            int room = piecesLength;
            for (int s = 0; s < slots.length; s++) {
                String value = values.getOrDefault(slots[s], "");
                filled[s] = value;
                room += value == null ? 4 : value.length();
            }
            StringBuilder out = new StringBuilder(room);
            for (int s = 0; s < slots.length; s++) {
                out.append(pieces[s]).append(filled[s]);
            }
            return collapseBlankLinesAndStrip(out.append(pieces[slots.length]));
        }
    }

    /**
     * {@code piece} with every run of three or more line breaks as two. The filled text collapses the
     * same: a run that holds such a run of a piece is three or more line breaks long either way, or
     * exactly two when the piece's run is the whole of it, and becomes two; so a template whose
     * sections leave a run (a dropped section between blank lines) costs no second copy per render.
     */
    private static String shortRuns(String piece) {
        return piece.contains("\n\n\n") ? collapse(new StringBuilder(piece), 0, piece.length()) : piece;
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
        return collapse(text, start, end);
    }

    /** The chars {@code start} to {@code end} of {@code text}, every run of three or more line breaks as two. */
    private static String collapse(StringBuilder text, int start, int end) {
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
