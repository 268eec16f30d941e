package dev.reverb.runtime.data;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The public datasets the shipped scenarios use, from the sources their papers' repositories
 * publish, pinned to a commit and a SHA-256. They are the same bytes as the copies in
 * {@code ../shared/data} (see its README). Under a data folder each lives at
 * {@code NAME/FILE}, as the shipped scenarios expect ({@code data/gsm8k/test.jsonl}).
 */
public final class Datasets {

    private static final String RAW = "https://raw.githubusercontent.com/";
    private static final String GSM8K = RAW + "openai/grade-school-math/3101c7d5072418e28b9008a6636bde82a006892c/";
    private static final String HUMANEVAL = RAW + "openai/human-eval/6d43fb980f9fee3c892a914eda09951f772ad10d/";
    private static final String OPENR = RAW + "openreasoner/openr/f8ba9223f7634cc9a3dff701399e544df214e46f/";
    private static final String TOT = RAW + "princeton-nlp/tree-of-thought-llm/733b009f627f8e5c81c3e5461391d3aa3e0dd18f/";

    /** Every dataset, in the order {@code all} fetches them. */
    public static final List<Dataset> ALL = List.of(
            new Dataset("gsm8k", "GSM8K test split, 1,319 grade-school math problems (openai/grade-school-math, MIT)",
                    file("gsm8k/test.jsonl", GSM8K + "grade_school_math/data/test.jsonl",
                            "3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14", 749_738),
                    file("gsm8k/LICENSE", GSM8K + "LICENSE",
                            "86bbb73e855821d7c401912fd4bf82e34313e6e3b6fd6f909f2b6cc9e209a53b", 1_062)),
            new Dataset("math500", "MATH-500, the PRM800K test subset of MATH: 500 problems (openreasoner/openr, MIT)",
                    file("math500/test.jsonl", OPENR + "envs/MATH/dataset/test500.jsonl",
                            "5a424d924a5f09323bb008b487e6971210dc5b2846db0699c777cd53982f08eb", 450_564),
                    file("math500/LICENSE-openr", OPENR + "LICENSE",
                            "495b4e525175956e54eba87d7ce0ce56e2527c336501980bf1942b6dba2919f5", 1_067)),
            new Dataset("humaneval", "HumanEval, 164 Python functions with unit tests (openai/human-eval, MIT)",
                    file("humaneval/HumanEval.jsonl.gz", HUMANEVAL + "data/HumanEval.jsonl.gz",
                            "b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef", 44_877),
                    file("humaneval/LICENSE", HUMANEVAL + "LICENSE",
                            "bcba3de214851cce46ed5af42d6698044616eeace887c3231bc7a20474ab639e", 1_083)),
            new Dataset("game24", "Game of 24, 1,362 ranked puzzles from Tree of Thoughts (princeton-nlp/tree-of-thought-llm, MIT)",
                    file("game24/24.csv", TOT + "src/tot/data/24/24.csv",
                            "b9f12b3e36d987a3c714c4cef17d89a137d7c59da26532fcfb93b4821d8111b5", 48_235),
                    file("game24/LICENSE", TOT + "LICENSE",
                            "cd2d341de1d3781e993e9859b1a36e8bfe12c84507c0a52f21c0220743af475b", 1_067)));

    private Datasets() {
    }

    private static DataFile file(String path, String url, String sha256, long bytes) {
        return new DataFile(path, URI.create(url), sha256, bytes);
    }

    /** The dataset of this name, if any. */
    public static Optional<Dataset> named(String name) {
        return ALL.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** The names, comma-separated (for messages). */
    public static String names() {
        return String.join(", ", ALL.stream().map(Dataset::name).toList());
    }

    /**
     * The dataset whose data file {@code file} is, judged by its last two path parts
     * ({@code .../gsm8k/test.jsonl}), with the data folder it would sit in; empty for any other file.
     */
    public static Optional<Match> forFile(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        for (Dataset d : ALL) {
            Path relative = Path.of(d.data().path());
            if (abs.getNameCount() > relative.getNameCount() && abs.endsWith(relative)) {
                Path dir = abs;
                for (int i = 0; i < relative.getNameCount(); i++) {
                    dir = dir.getParent();
                }
                return Optional.of(new Match(d, dir));
            }
        }
        return Optional.empty();
    }

    /** A dataset and the data folder a file of it lies (or would lie) in. */
    public record Match(Dataset dataset, Path dir) {
    }

    /** The one-line hint for a missing dataset file: the command that fetches it; empty for other files. */
    public static String hint(Path missing) {
        return forFile(missing).map(m -> "; get it with: reverb data get " + m.dataset().name() + " --dir " + m.dir())
                .orElse("");
    }
}
