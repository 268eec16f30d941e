package dev.reverb.runtime.backend;

import dev.reverb.agents.Seeds;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import dev.reverb.environments.Task;
import dev.reverb.environments.code.CodeEnvironment;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The offline stand-in for a language model, for demos and tests. It is <b>not</b> a language
 * model and its numbers must never be reported as one's: every output is marked
 * {@code simulated} in the run files, and its model name starts with {@code simulated:}.
 *
 * <p>It plays a model from the task's reference solution, which it looks up by the call's task id
 * in the lookup it is built with: the model boundary itself carries no reference answer. A task
 * the lookup does not know is answered like a model that cannot work it out (a labelled reply,
 * never a crash). A first answer (phase ANSWER) is
 * right with probability {@code accuracy}; each later answer (REVISE, after feedback, critique,
 * reflection or other agents' answers) of an agent that was wrong becomes right with probability
 * {@code fixRate}, and a right answer stays right. A wrong answer repeats the reference steps
 * with one plausible arithmetic slip and a wrong final number. Critiques, reflections and
 * judgements are written from the same knowledge. Everything is a pure function of the seed,
 * the episode, the agent and the round, so runs are reproducible under any concurrency. With a
 * {@code latency}, every answer arrives that long after its call, as from a server with a fixed
 * response time (for benchmarks of latency-bound runs); no thread waits for it.
 */
public final class SimulatedBackend implements ModelBackend {

    private final String model;
    private final double accuracy;
    private final double fixRate;
    private final long seed;
    private final Function<String, Optional<Task>> tasks;
    private Map<String, Double> cues = Map.of();
    private final Duration latency;
    /** Traced with every call: made once (and again when cues are set). */
    private String identity;

    /**
     * @param tasks the run's tasks by id, where the stand-in reads the reference solutions
     */
    public SimulatedBackend(String model, double accuracy, double fixRate, long seed,
                            Function<String, Optional<Task>> tasks) {
        this(model, accuracy, fixRate, seed, tasks, Duration.ZERO);
    }

    /**
     * @param tasks   the run's tasks by id, where the stand-in reads the reference solutions
     * @param latency how long each call takes, like a server's response time; no thread waits it
     *                out (see {@link Latency})
     */
    public SimulatedBackend(String model, double accuracy, double fixRate, long seed,
                            Function<String, Optional<Task>> tasks, Duration latency) {
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.latency = Objects.requireNonNull(latency, "latency");
        if (accuracy < 0 || accuracy > 1 || fixRate < 0 || fixRate > 1) {
            throw new IllegalArgumentException("accuracy and fix-rate must be in [0,1]");
        }
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must be >= 0");
        }
        this.model = "simulated:" + model;
        this.accuracy = accuracy;
        this.fixRate = fixRate;
        this.seed = seed;
        this.identity = describe();
    }

    private String describe() {
        return model + " (simulated stand-in, accuracy " + accuracy + ", fix-rate " + fixRate
                + (latency.isZero() ? "" : ", latency " + latency.toMillis() + " ms")
                + (cues.isEmpty() ? "" : ", prompt cues " + new java.util.TreeMap<>(cues)) + ")";
    }

    /**
     * A labelled hook for demos and tests of {@code reverb optimize}: when an agent's prompt contains
     * one of these phrases, its first answers are right with the phrase's accuracy instead (the
     * highest of the phrases found), so a search has a known prompt feature to find. It stands in for
     * a model that responds to its prompt's wording; it is not one.
     */
    public SimulatedBackend withCues(Map<String, Double> phrases) {
        phrases.values().forEach(a -> {
            if (a < 0 || a > 1) {
                throw new IllegalArgumentException("a cue's accuracy must be in [0,1]");
            }
        });
        this.cues = Map.copyOf(phrases);
        this.identity = describe();
        return this;
    }

    /** A task lookup over {@code tasks} (the first of a repeated id wins). */
    public static Function<String, Optional<Task>> lookup(Collection<Task> tasks) {
        Map<String, Task> byId = new HashMap<>(tasks.size() * 4 / 3 + 1); // sized once: a run may have 100,000
        tasks.forEach(t -> byId.putIfAbsent(t.id(), t));
        return id -> Optional.ofNullable(byId.get(id));
    }

    @Override
    public String name() {
        return model;
    }

    /** The stand-in and its settings: never a language model's name. */
    @Override
    public String identity() {
        return identity;
    }

    @Override
    public CompletionStage<Generation> generate(GenerateRequest request) {
        return Latency.after(latency, () -> answer(request));
    }

    private CompletionStage<Generation> answer(GenerateRequest request) {
        String[] samples = new String[request.n()];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = respond(request, i);
        }
        List<String> texts = List.of(samples); // kept as it is by the Generation
        int promptTokens = 0;
        for (int i = 0; i < request.messages().size(); i++) {
            promptTokens += tokens(request.messages().get(i).content());
        }
        int completionTokens = 0;
        for (String text : texts) {
            completionTokens += tokens(text);
        }
        return CompletableFuture.completedFuture(new Generation(texts, promptTokens, completionTokens, model, true));
    }

    private String respond(GenerateRequest request, int sample) {
        CallContext c = request.context();
        String last = request.messages().get(request.messages().size() - 1).content();
        if (c.phase() == Phase.DISTILL) {
            return SimulatedDistiller.distillation(last);
        }
        if (c.phase() == Phase.PROPOSE) {
            return SimulatedProposer.propose(last, Seeds.mix(seed, c.episodeId(), c.round(), sample));
        }
        Optional<Task> known = tasks.apply(c.taskId());
        if (known.isEmpty()) {
            return c.phase() == Phase.INSTRUCT ? INSTRUCTION
                    : "I cannot work this task out. (simulated model: task '" + c.taskId() + "' is unknown to it)";
        }
        Task task = known.get();
        if (c.phase() == Phase.INSTRUCT) {
            return last.contains("latest answer") && mentionsAnswer(last, task.referenceAnswer())
                    ? "The answer checks out. TASK_DONE"
                    : INSTRUCTION;
        }
        if (!task.hasReference()) {
            return "I cannot work this task out. (simulated model: the task has no reference solution)";
        }
        double first = accuracyFor(request);
        return switch (c.phase()) {
            case ANSWER, REVISE -> solution(task, correctAt(c, sample, first), c, sample);
            case STEP -> step(task, c, sample, last.contains("Feedback on your last answer"), last, first);
            case CRITIQUE -> critique(task, last);
            case REFLECT -> reflection(task, c);
            case JUDGE -> judgement(task, last, c);
            case SCORE -> throw new IllegalArgumentException("step scoring goes through score(), not generate()");
            case DISTILL, INSTRUCT, PROPOSE -> throw new IllegalStateException("answered above");
        };
    }

    private static final String INSTRUCTION = "Work through the problem one quantity at a time, check each result, "
            + "and end with \"The answer is X.\"";

    /** The step a prompt asks for: its last "step N" ("Write only step 3"), which may differ from the round. */
    private static final java.util.regex.Pattern STEP_ASKED = java.util.regex.Pattern.compile("(?i)\\bstep (\\d+)\\b");

    private static final java.util.regex.Pattern STATED = java.util.regex.Pattern.compile("(.*?)\\s*The answer is (.+?)\\.?");

    /**
     * A stand-in process reward model: a step that is one of the task's reference steps scores
     * 0.9, any other step 0.2 (so a plausible slip is caught); a step stating the answer scores
     * 0.9 only when the answer is the reference's; every step of a task it does not know scores
     * 0.5 (no opinion). Marked simulated like everything here.
     */
    @Override
    public CompletionStage<StepScores> score(ScoreRequest request) {
        return Latency.after(latency, () -> scores(request));
    }

    private CompletionStage<StepScores> scores(ScoreRequest request) {
        int tokens = tokens(request.problem()) + request.steps().stream().mapToInt(SimulatedBackend::tokens).sum();
        Optional<Task> known = tasks.apply(request.context().taskId());
        if (known.isEmpty()) {
            return CompletableFuture.completedFuture(new StepScores(
                    request.steps().stream().map(step -> 0.5).toList(), tokens, model));
        }
        Task task = known.get();
        List<String> reference = task.referenceSteps().stream().map(String::strip).toList();
        List<Double> scores = request.steps().stream().map(step -> {
            String body = step.replaceFirst("^Step \\d+: ", "").strip();
            java.util.regex.Matcher stated = STATED.matcher(body);
            boolean right = stated.matches()
                    ? stated.group(2).strip().equals(task.referenceAnswer())
                    && (stated.group(1).isBlank() || reference.contains(stated.group(1).strip()))
                    : reference.contains(body);
            return right ? 0.9 : 0.2;
        }).toList();
        return CompletableFuture.completedFuture(new StepScores(scores, tokens, model));
    }

    /**
     * One step of a solution built step by step: step {@code round + 1} of the reference, right
     * with probability {@code accuracy} ({@code fixRate} when feedback was given, if higher), else
     * with a slip; the last step states the answer (the reference's only when the step is right).
     */
    private String step(Task task, CallContext c, int sample, boolean feedback, String prompt, double accuracy) {
        List<String> steps = task.referenceSteps();
        java.util.regex.Matcher asked = STEP_ASKED.matcher(prompt);
        int at = c.round();
        while (asked.find()) {
            at = Integer.parseInt(asked.group(1)) - 1;
        }
        // A fresh draw per call (round) and step, so a step that slipped can come out right when asked again.
        boolean right = Seeds.uniform(seed, c.episodeId(), c.agent(), sample, c.round(), "step", at)
                < (feedback ? Math.max(accuracy, fixRate) : accuracy);
        if (at >= steps.size()) {
            return "The answer is " + (right ? task.referenceAnswer() : wrongAnswer(task, c, sample)) + ".";
        }
        String text = "Step " + (at + 1) + ": "
                + (right ? steps.get(at) : "perhaps " + withoutFinalStop(steps.get(at)) + ", roughly?");
        // The last step states the answer, unless the steps are the answer themselves (a text world's plan).
        if (at == steps.size() - 1 && !task.referenceAnswer().equals(String.join("\n", steps))) {
            text += " The answer is " + (right ? task.referenceAnswer() : wrongAnswer(task, c, sample)) + ".";
        }
        return text;
    }

    /** The first-answer accuracy for this prompt: the highest cue it contains, else {@code accuracy}. */
    private double accuracyFor(GenerateRequest request) {
        if (cues.isEmpty()) {
            return accuracy;
        }
        double best = -1;
        for (Map.Entry<String, Double> cue : cues.entrySet()) {
            String phrase = cue.getKey().toLowerCase(java.util.Locale.ROOT);
            if (request.messages().stream().anyMatch(m -> m.content().toLowerCase(java.util.Locale.ROOT).contains(phrase))) {
                best = Math.max(best, cue.getValue());
            }
        }
        return best < 0 ? accuracy : best;
    }

    /** Whether the agent's answer in this round is right: a chain of independent draws per round. */
    boolean correctAt(CallContext c, int sample) {
        return correctAt(c, sample, accuracy);
    }

    /** Each round's draw is {@code Seeds.uniform(seed, episode, agent, sample, round)}, its common parts mixed once. */
    private boolean correctAt(CallContext c, int sample, double accuracy) {
        long drawn = Seeds.then(mixed(c), sample);
        boolean correct = Seeds.uniformOf(Seeds.then(drawn, 0)) < accuracy;
        for (int round = 1; round <= c.round() && !correct; round++) {
            correct = Seeds.uniformOf(Seeds.then(drawn, round)) < fixRate;
        }
        return correct;
    }

    private String solution(Task task, boolean correct, CallContext c, int sample) {
        if (task.environment().equals(CodeEnvironment.TYPE)) {
            return program(task, correct);
        }
        List<String> steps = task.referenceSteps().isEmpty() ? List.of("Working it out.") : task.referenceSteps();
        int room = 64; // one buffer for every step (this runs for every turn)
        for (String step : steps) {
            room += step.length() + 24;
        }
        StringBuilder out = new StringBuilder(room);
        int slip = correct ? -1 : slipStep(task, c);
        for (int i = 0; i < steps.size(); i++) {
            out.append("Step ").append(i + 1).append(": ");
            if (i == slip) {
                out.append("I think ").append(withoutFinalStop(steps.get(i))).append(", roughly.");
            } else {
                out.append(steps.get(i));
            }
            out.append('\n');
        }
        String answer = correct ? task.referenceAnswer() : wrongAnswer(task, c, sample);
        return out.append("The answer is ").append(answer).append('.').toString();
    }

    /**
     * A program: the reference when right; when wrong, the reference with the entry point redefined
     * to return nothing, so the tests fail on their first assertion.
     */
    private static String program(Task task, boolean correct) {
        String entry = task.metadata().getOrDefault("entry_point", "solution");
        return "Here is the completed function.\n```python\n" + task.referenceAnswer().stripTrailing()
                + (correct ? "" : "\n\n\ndef " + entry + "(*args, **kwargs):\n    return None") + "\n```";
    }

    private static final java.util.regex.Pattern FINAL_STOP = java.util.regex.Pattern.compile("\\.$");

    /**
     * The text without a full stop at its end (this runs for every wrong answer): as {@link #FINAL_STOP}
     * removes it, by hand unless the text ends with a line break (where {@code $} has its own rules).
     */
    private static String withoutFinalStop(String text) {
        char last = text.isEmpty() ? 0 : text.charAt(text.length() - 1);
        if (last == '\n' || last == '\r' || last == '\u0085' || last == '\u2028' || last == '\u2029') {
            return FINAL_STOP.matcher(text).replaceAll("");
        }
        return last == '.' ? text.substring(0, text.length() - 1) : text;
    }

    /** {@code Seeds.mix(seed, episode, agent)} as a state to mix more parts into ({@link Seeds#then}). */
    private long mixed(CallContext c) {
        return Seeds.then(Seeds.then(Seeds.start(seed), c.episodeId()), c.agent());
    }

    private int slipStep(Task task, CallContext c) {
        int n = Math.max(1, task.referenceSteps().size());
        long slip = Seeds.then(mixed(c), "slip");
        return (int) Math.floorMod(slip, (long) n); // Seeds.mix(seed, episode, agent, "slip")
    }

    /** A plausible wrong number: off by a small amount, different per agent and round. */
    private String wrongAnswer(Task task, CallContext c, int sample) {
        long h = Seeds.then(Seeds.then(Seeds.then(mixed(c), c.round()), sample), "wrong");
        // Seeds.mix(seed, episode, agent, round, sample, "wrong")
        int delta = 1 + (int) Math.floorMod(h, 9L);
        long whole = plainWhole(task.referenceAnswer());
        if (whole != NOT_WHOLE) { // the usual reference, a whole number: the same text as through BigDecimal
            return Long.toString(whole + ((h & 1) == 0 ? delta : -delta));
        }
        BigDecimal reference;
        try {
            reference = new BigDecimal(task.referenceAnswer());
        } catch (NumberFormatException e) {
            return task.referenceAnswer() + " + 1"; // off by one, whatever the answer's form
        }
        return reference.add(BigDecimal.valueOf((h & 1) == 0 ? delta : -delta)).stripTrailingZeros().toPlainString();
    }

    private static String critique(Task task, String prompt) {
        if (mentionsAnswer(prompt, task.referenceAnswer())) {
            return "Each step follows from the problem statement and the arithmetic checks out.\nVERDICT: correct";
        }
        return "At least one intermediate result does not follow from the numbers in the problem; "
                + "recompute each step.\nVERDICT: incorrect";
    }

    private static final long NOT_WHOLE = Long.MIN_VALUE;

    /**
     * The value of a text of up to 17 ASCII digits after an optional sign, else {@link #NOT_WHOLE}: where
     * {@code new BigDecimal(text)} is that whole number, off by at most 9 without overflow, and written back
     * by {@code stripTrailingZeros().toPlainString()} as {@link Long#toString} writes it.
     */
    static long plainWhole(String text) {
        int n = text.length();
        int i = n > 0 && (text.charAt(0) == '-' || text.charAt(0) == '+') ? 1 : 0;
        if (i == n || n - i > 17) {
            return NOT_WHOLE;
        }
        long value = 0;
        for (int j = i; j < n; j++) {
            char d = text.charAt(j);
            if (d < '0' || d > '9') {
                return NOT_WHOLE;
            }
            value = value * 10 + (d - '0');
        }
        return text.charAt(0) == '-' ? -value : value;
    }

    private String reflection(Task task, CallContext c) {
        int slip = slipStep(task, c);
        String step = task.referenceSteps().isEmpty() ? "the calculation" : "step " + (slip + 1);
        return "My final answer was wrong. The mistake most likely happened in " + step
                + ", where I estimated instead of computing exactly. Next time I will redo every "
                + "intermediate result exactly, check it against the quantities in the problem, "
                + "and only then state the final answer.";
    }

    private String judgement(Task task, String prompt, CallContext c) {
        boolean right = mentionsAnswer(prompt, task.referenceAnswer()) && correctAt(c, 0);
        String answer = right ? task.referenceAnswer() : wrongAnswer(task, c, 0);
        return "Having compared the candidate solutions, I find the most careful one convincing.\n"
                + "The answer is " + answer + ".";
    }

    private static boolean mentionsAnswer(String text, String answer) {
        return text.contains("answer is " + answer + ".") || text.contains("answer is " + answer + "\n");
    }

    /** A rough token count (about four characters a token) for accounting. */
    static int tokens(String text) {
        return (text.length() + 3) / 4;
    }

}
