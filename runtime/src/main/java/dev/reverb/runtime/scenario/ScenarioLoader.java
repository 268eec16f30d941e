package dev.reverb.runtime.scenario;

import dev.reverb.runtime.Extensions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Loads a scenario file, one job per step: read the text ({@link SourceText}: size limit, strict
 * UTF-8), parse it with the position of every value ({@link YamlTree}), apply {@code --set}
 * overrides ({@link Overrides}), check it against the JSON schema ({@link SchemaCheck}), make the
 * checks a schema cannot ({@link SemanticChecks}, with each type's settings checked against its
 * descriptor in the registry by {@link TypeSettingsCheck}), then build it ({@link ScenarioBuilder},
 * {@link ResolvedYaml}). Every problem is reported at once, in file order, as
 * {@code file:line:column: field.path: message}; nothing else is thrown for a bad file.
 */
public final class ScenarioLoader {

    /** The built-in environment types. */
    public static final Set<String> ENVIRONMENT_TYPES = Extensions.builtInEnvironmentTypes();
    /** The built-in protocol types. */
    public static final Set<String> PROTOCOL_TYPES = Extensions.builtInProtocolTypes();

    private ScenarioLoader() {
    }

    /** Reads, overrides, validates and builds a scenario file, with the built-in types. */
    public static Scenario load(Path file, List<String> overrides) throws ScenarioException {
        return load(file, overrides, Extensions.NONE);
    }

    /** As {@link #load(Path, List)}, with the types of a registry (built-in and registered from Java). */
    public static Scenario load(Path file, List<String> overrides, Extensions extensions) throws ScenarioException {
        List<Problem> problems = new ArrayList<>();
        String text = SourceText.read(file, problems);
        if (text == null) {
            throw new ScenarioException(problems);
        }
        return parse(text, file, overrides, extensions);
    }

    /** As {@link #load}, from text; relative paths resolve against {@code file}'s folder. */
    public static Scenario parse(String text, Path file, List<String> overrides) throws ScenarioException {
        return parse(text, file, overrides, Extensions.NONE);
    }

    /** As {@link #parse(String, Path, List)}, with the types of a registry. */
    public static Scenario parse(String text, Path file, List<String> overrides, Extensions extensions)
            throws ScenarioException {
        List<Problem> problems = new ArrayList<>();
        if (text.length() > SourceText.MAX_BYTES) {
            problems.add(new Problem(file.toString(), 1, 1, "", "the text is larger than "
                    + (SourceText.MAX_BYTES >> 10) + " KiB: a scenario file is a few kilobytes of YAML"));
            throw new ScenarioException(problems);
        }
        YamlTree tree = YamlTree.parse(text, file.toString(), problems);
        if (tree != null && !tree.root.isObject()) {
            problems.add(new Problem(file.toString(), 1, 1, "", "a scenario is a YAML mapping of sections, got "
                    + ProblemLog.describe(tree.root)));
        }
        if (!problems.isEmpty()) {
            throw new ScenarioException(problems);
        }
        ProblemLog log = new ProblemLog(tree, file);
        overrides.forEach(o -> Overrides.apply(o, tree, log));
        SemanticChecks checks = new SemanticChecks(tree, log, extensions, file.toAbsolutePath().getParent());
        try {
            SchemaCheck.check(tree, log);
            checks.run();
        } catch (RuntimeException e) {
            // A check that trips over a shape it did not expect must still give a located, one-line answer.
            log.atValue("", "cannot check this scenario (" + e + "); please report it with the file");
        }
        if (!log.isEmpty()) {
            throw new ScenarioException(log.sorted(overrides));
        }
        return new ScenarioBuilder(tree.root, file, checks).build();
    }
}
