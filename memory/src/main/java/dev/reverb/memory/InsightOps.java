package dev.reverb.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operations a model writes to edit the list of insights (ExpeL, Zhao et al., 2024), one a
 * line: {@code ADD: text}, {@code EDIT n: text}, {@code UPVOTE n}, {@code DOWNVOTE n},
 * {@code REMOVE n}, where {@code n} is an insight's number in the list the model was shown.
 * ExpeL's {@code AGREE n} is read as {@code UPVOTE n}. Bullets, numbering, markdown emphasis and
 * a number after ADD are tolerated; other lines are the model's prose and are ignored. A line
 * that starts like an operation but is malformed is reported and skipped, never fatal.
 */
public final class InsightOps {

    public enum Verb { ADD, EDIT, UPVOTE, DOWNVOTE, REMOVE }

    /**
     * One operation.
     *
     * @param verb   what to do
     * @param target the insight's number as shown (1-based); 0 for ADD
     * @param text   the new text for ADD and EDIT, empty otherwise
     * @param line   the line of the model's output it came from (1-based)
     */
    public record Op(Verb verb, int target, String text, int line) {
    }

    /** The operations read from a model's output, and a message for each line that was skipped. */
    public record Parsed(List<Op> ops, List<String> problems) {
        public Parsed {
            ops = List.copyOf(ops);
            problems = List.copyOf(problems);
        }
    }

    /** A word at the start of a line, after any bullet, numbering or emphasis: a candidate verb. */
    private static final Pattern HEAD = Pattern.compile("^\\s*(?:[-*\u2022]\\s*|\\d+[.)]\\s*)?\\**([A-Za-z]+)\\**(.*)$");
    /** What follows the verb: an optional insight number, then an optional ': text'. */
    private static final Pattern REST = Pattern.compile(
            "^\\s*(?:(?:insight|rule)\\s*)?#?\\s*(\\d+)?\\s*\\**\\s*(?::\\s*(.*))?$", Pattern.CASE_INSENSITIVE);

    private InsightOps() {
    }

    public static Parsed parse(String output) {
        List<Op> ops = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        String[] lines = output == null ? new String[0] : output.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String raw = lines[i];
            Matcher head = HEAD.matcher(raw);
            Verb verb = head.matches() ? verb(head.group(1)) : null;
            if (verb == null) {
                continue;
            }
            int line = i + 1;
            Matcher rest = REST.matcher(head.group(2));
            if (!rest.matches()) {
                problems.add(problem(line, raw, "expected " + verb + (verb == Verb.ADD ? ": text" : " n")
                        + (verb == Verb.EDIT ? ": text" : "")));
                continue;
            }
            String number = rest.group(1);
            String text = rest.group(2) == null ? "" : rest.group(2).strip();
            if ((verb == Verb.ADD || verb == Verb.EDIT) && text.isEmpty()) {
                problems.add(problem(line, raw, verb + " needs a text after ':'"));
            } else if (verb == Verb.ADD) {
                ops.add(new Op(verb, 0, text, line)); // ExpeL writes "ADD <new number>: ..."; the number is not needed
            } else if (number == null || number.length() > 6 || Integer.parseInt(number) < 1) {
                problems.add(problem(line, raw, verb + " needs the number of an insight (1, 2, ...)"));
            } else {
                ops.add(new Op(verb, Integer.parseInt(number), verb == Verb.EDIT ? text : "", line));
            }
        }
        return new Parsed(ops, problems);
    }

    private static Verb verb(String word) {
        String w = word.toUpperCase(Locale.ROOT);
        if (!word.equals(w)) {
            return null; // only capitals count, so prose starting with "Add" or "Remove" is left alone
        }
        return switch (w) {
            case "ADD" -> Verb.ADD;
            case "EDIT" -> Verb.EDIT;
            case "UPVOTE", "AGREE" -> Verb.UPVOTE;
            case "DOWNVOTE" -> Verb.DOWNVOTE;
            case "REMOVE" -> Verb.REMOVE;
            default -> null;
        };
    }

    private static String problem(int line, String raw, String why) {
        String shown = raw.strip();
        if (shown.length() > 80) {
            shown = shown.substring(0, 77) + "...";
        }
        return "line " + line + ": " + why + ": \"" + shown + "\"";
    }
}
