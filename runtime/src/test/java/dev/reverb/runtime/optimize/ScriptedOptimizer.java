package dev.reverb.runtime.optimize;

import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** A scripted optimizer model for tests: its answers in order (the last one again when they run out), and every request it saw. */
final class ScriptedOptimizer implements ModelBackend {

    private final List<String> script;
    final List<String> requests = new CopyOnWriteArrayList<>();

    ScriptedOptimizer(String... script) {
        this.script = List.of(script);
    }

    @Override
    public String name() {
        return "scripted-optimizer";
    }

    @Override
    public synchronized CompletionStage<Generation> generate(GenerateRequest request) {
        String prompt = request.messages().get(request.messages().size() - 1).content();
        requests.add(prompt);
        String answer = script.get(Math.min(requests.size() - 1, script.size() - 1));
        return CompletableFuture.completedFuture(new Generation(List.of(answer), prompt.length() / 4,
                answer.length() / 4, name(), false));
    }
}
