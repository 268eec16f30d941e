package dev.reverb.environments;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of loading a dataset: how many tasks were read, and every line that was skipped.
 *
 * @param source the file (or generator) the tasks came from
 * @param loaded the number of tasks read successfully
 * @param issues one entry per rejected line, in file order
 */
public record DatasetReport(String source, int loaded, List<Issue> issues) {

    /** One rejected input line. */
    public record Issue(int line, String message) {
        public Issue {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return "line " + line + ": " + message;
        }
    }

    public DatasetReport {
        Objects.requireNonNull(source, "source");
        issues = List.copyOf(issues);
    }

    public static DatasetReport clean(String source, int loaded) {
        return new DatasetReport(source, loaded, List.of());
    }

    public int skipped() {
        return issues.size();
    }
}
