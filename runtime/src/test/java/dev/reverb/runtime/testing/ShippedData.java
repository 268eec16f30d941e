package dev.reverb.runtime.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where tests find the datasets of the shipped scenarios: the project's {@code data/} folder when
 * {@code reverb data get} put them there (what the scenarios name), else the same files in
 * {@code ../shared/data} next to the project, through an override; tests skip when neither has them.
 */
public final class ShippedData {

    public static final Path ROOT = Path.of(System.getProperty("reverb.root", "..")).toAbsolutePath().normalize();
    public static final Path SHARED_DATA = Path.of(System.getProperty("reverb.shared", "../shared")).resolve("data")
            .toAbsolutePath().normalize();

    /** The shipped scenarios over a public dataset, and that dataset's file under a data folder. */
    public static final Map<String, String> SCENARIOS = Map.of(
            "gsm8k-reflexion", "gsm8k/test.jsonl",
            "humaneval-reflexion", "humaneval/HumanEval.jsonl.gz",
            "game24-search", "game24/24.csv");

    private ShippedData() {
    }

    /** The dataset file of a shipped scenario: in the project's data/, else in ../shared/data; empty when in neither. */
    public static Optional<Path> file(String scenario) {
        String relative = SCENARIOS.get(scenario);
        if (relative == null) {
            return Optional.empty();
        }
        for (Path dir : List.of(ROOT.resolve("data"), SHARED_DATA)) {
            if (Files.isRegularFile(dir.resolve(relative))) {
                return Optional.of(dir.resolve(relative));
            }
        }
        return Optional.empty();
    }

    /** Whether a shipped scenario can run here: it needs no dataset, or its dataset is in data/ or ../shared/data. */
    public static boolean available(String scenario) {
        return !SCENARIOS.containsKey(scenario) || file(scenario).isPresent();
    }

    /** The overrides ({@code PATH=VALUE}) that point a shipped scenario at its dataset: none when data/ has it. */
    public static List<String> overrides(String scenario) {
        return file(scenario).filter(f -> !f.startsWith(ROOT.resolve("data")))
                .map(f -> List.of("environment.dataset=" + f)).orElse(List.of());
    }

    /** {@link #overrides} as command-line arguments ({@code --set PATH=VALUE}...). */
    public static List<String> setArgs(String scenario) {
        List<String> args = new ArrayList<>();
        overrides(scenario).forEach(o -> {
            args.add("--set");
            args.add(o);
        });
        return args;
    }
}
