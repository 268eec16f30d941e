package dev.reverb.runtime.run;

import dev.reverb.agents.model.GatewaySettings;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.protocol.Debate;
import dev.reverb.agents.protocol.Protocol;
import dev.reverb.agents.protocol.Reflexion;
import dev.reverb.environments.Environment;
import dev.reverb.environments.MathEnvironment;
import dev.reverb.runtime.backend.OpenAiBackend;
import dev.reverb.runtime.backend.PoolingPrm;
import dev.reverb.runtime.djl.DjlBackend;
import dev.reverb.runtime.djl.ProcessRewardModel;
import dev.reverb.runtime.backend.SimulatedBackend;
import dev.reverb.runtime.scenario.Scenario;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** Turns a validated scenario's configuration into the components of a run. */
public final class Wiring {

    /** Calls waiting in a gateway beyond its concurrency before new ones are refused. */
    static final int QUEUE_CAPACITY = 100_000;
    static final Duration RETRY_BACKOFF = Duration.ofMillis(500);

    private Wiring() {
    }

    public static Environment environment(Scenario.EnvironmentConfig c) {
        return switch (c.type()) {
            case "arithmetic" -> MathEnvironment.arithmetic(c.seed(), c.count(), c.minSteps(), c.maxSteps());
            case "gsm8k" -> MathEnvironment.gsm8k(c.dataset(), c.split(), c.shuffleSeed(), c.limit());
            default -> throw new IllegalArgumentException("unknown environment type '" + c.type() + "'");
        };
    }

    public static Protocol protocol(Scenario.ProtocolConfig c, Scenario.MemoryConfig memory) {
        Map<String, Object> s = c.settings();
        return switch (c.type()) {
            case "reflexion" -> new Reflexion(c.name(), (String) s.get("solver"), (String) s.get("reflector"),
                    ((Number) s.get("max-trials")).intValue(), memory.reflections());
            case "debate" -> new Debate(c.name(), strings(s.get("debaters")), ((Number) s.get("rounds")).intValue(),
                    Debate.TieBreak.valueOf(((String) s.get("tie-break")).toUpperCase(Locale.ROOT)),
                    (String) s.get("judge"));
            default -> throw new IllegalArgumentException("unknown protocol type '" + c.type() + "'");
        };
    }

    /**
     * The backend of a model. {@code environment} looks up the API key variable the scenario
     * names (the CLI passes {@code System::getenv}).
     */
    public static ModelBackend backend(Scenario.ModelConfig m, long runSeed, Function<String, String> environment)
            throws IOException {
        return switch (m.backend()) {
            case DJL -> new DjlBackend(m.djl().path(), m.djl().device(), m.djl().dtype(), m.djl().maxBatch(),
                    m.djl().maxWait(), QUEUE_CAPACITY, m.prm() == null ? null : new ProcessRewardModel.Settings(
                            ProcessRewardModel.Style.fromId(m.prm().style()), m.prm().marker(), m.prm().good(),
                            m.prm().bad()));
            case SIMULATED -> new SimulatedBackend(m.model(), m.simulated().accuracy(), m.simulated().fixRate(), runSeed);
            case OPENAI -> new OpenAiBackend(m.baseUrl(), m.model(),
                    m.apiKeyEnv() == null ? null : environment.apply(m.apiKeyEnv()), m.timeout(), m.concurrency(),
                    m.prm() == null ? null
                            : new PoolingPrm(m.baseUrl(), m.model(), m.prm().marker(), m.prm().positiveIndex(), m.timeout()));
        };
    }

    public static GatewaySettings gateway(Scenario.ModelConfig m) {
        return new GatewaySettings(m.concurrency(), QUEUE_CAPACITY, m.timeout(), m.retries(), RETRY_BACKOFF);
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value) {
        return List.copyOf((List<String>) value);
    }
}
