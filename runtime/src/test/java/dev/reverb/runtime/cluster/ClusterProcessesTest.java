package dev.reverb.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.memory.LuceneStore;
import dev.reverb.memory.MemoryItem;
import dev.reverb.memory.MemoryKind;
import dev.reverb.memory.MemoryQuery;
import dev.reverb.runtime.run.Json;
import dev.reverb.runtime.run.RunFolder;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import dev.reverb.runtime.cli.ReverbCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three JVMs on loopback (real processes, Artery TCP on 127.0.0.1): a seed and two workers run the
 * quickstart scenario with the simulated model slowed to a fixed latency; one worker is killed
 * ({@code destroyForcibly}, as {@code kill -9}) once it has run an episode. The run still records
 * every planned episode exactly once, each naming its node, with the same results as a one-JVM run.
 */
class ClusterProcessesTest {

    private static final List<String> SETTINGS = List.of("environment.count=30", "run.concurrency=2");
    private static final long LATENCY_MS = 150;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void should_record_every_episode_once_with_the_local_results_when_a_worker_is_killed_part_way() throws Exception {
        int[] ports = freePorts(3);
        Path scenario = Path.of(System.getProperty("reverb.root", ".")).resolve("scenarios/quickstart.yaml");
        List<String> seedSettings = new ArrayList<>(SETTINGS);
        seedSettings.add("run.output=" + dir.resolve("cluster"));
        String seedAt = "127.0.0.1:" + ports[0];
        Process victim = start("victim", List.of(), node(scenario, seedAt, ports[1]));
        Process survivor = start("survivor", List.of(), node(scenario, seedAt, ports[2]));
        List<String> seedArgs = new ArrayList<>(List.of("seed", scenario.toString(), String.valueOf(ports[0]),
                String.valueOf(LATENCY_MS)));
        seedArgs.addAll(seedSettings);
        // the seed hands out work once all three nodes are up, so the victim is busy when it is killed
        Process seed = start("seed", List.of("-Dakka.cluster.min-nr-of-members=3"), seedArgs.toArray(String[]::new));

        String victimNode = "127.0.0.1:" + ports[1];
        Path episodes = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline && seed.isAlive()) {
            episodes = episodes != null ? episodes : runFile("quickstart", RunFolder.EPISODES);
            if (episodes != null && Files.readString(episodes).contains("\"node\":\"" + victimNode + "\"")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(seed.isAlive()).as("the seed is still running when the victim has run an episode\n" + logs())
                .isTrue();
        victim.destroyForcibly();
        assertThat(seed.waitFor(120, TimeUnit.SECONDS)).as("the seed finished\n" + logs()).isTrue();
        assertThat(seed.exitValue()).as(logs()).isZero();
        assertThat(survivor.waitFor(30, TimeUnit.SECONDS)).as("the surviving worker exits\n" + logs()).isTrue();
        assertThat(survivor.exitValue()).as(logs()).isZero();
        assertThat(Files.readString(dir.resolve("seed.log"))).as("the seed handed the killed node's episodes on")
                .containsPattern("node " + victimNode + " left the run; [1-9]\\d* unfinished episode");

        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(runFile("quickstart", RunFolder.EPISODES))) {
            lines.add(Json.MAPPER.readTree(line));
        }
        Map<String, Boolean> clustered = new HashMap<>();
        Map<String, Integer> byNode = new HashMap<>();
        for (JsonNode line : lines) {
            assertThat(line.path("status").asText()).isEqualTo("finished");
            assertThat(clustered.put(line.get("episode").asText(), line.get("correct").asBoolean()))
                    .as("episode %s recorded once", line.get("episode").asText()).isNull();
            byNode.merge(line.path("node").asText(""), 1, Integer::sum);
        }
        assertThat(byNode).doesNotContainKey("").containsKey(victimNode).containsKey(seedAt);
        assertThat(byNode.size()).isGreaterThanOrEqualTo(2);

        Map<String, Boolean> local = localRun("quickstart.yaml", SETTINGS, 60);
        assertThat(clustered).as("every planned episode, with the one-JVM run's result").isEqualTo(local);
    }

    /**
     * A node whose own model fails its pre-flight check (here a server that is not there) says why, exits 4 as a
     * local run does, and takes no episode; the seed logs why and runs the episodes itself.
     */
    @Test
    void should_leave_with_exit_4_and_no_episode_when_a_joining_nodes_model_fails_its_preflight() throws Exception {
        int[] free = freePorts(3);
        java.util.Arrays.sort(free);
        // the seed's, the node's and one nothing listens on; the node's address sorts first, so that it would be
        // the oldest when both come up together, were the split-brain resolver not told the seed's role
        int[] ports = {free[1], free[0], free[2]};
        Path scenario = Path.of(System.getProperty("reverb.root", ".")).resolve("scenarios/quickstart.yaml");
        List<String> seedArgs = new ArrayList<>(List.of("seed", scenario.toString(), String.valueOf(ports[0]), "200",
                "environment.count=20", "run.concurrency=2", "run.output=" + dir.resolve("cluster")));
        // work starts once the node has joined, and lasts long enough (~10 s) for the node to check its model
        Process seed = start("seed", List.of("-Dakka.cluster.min-nr-of-members=2"), seedArgs.toArray(String[]::new));
        String seedAt = "127.0.0.1:" + ports[0];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ReverbCli.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "node", "--join", seedAt, "--port",
                String.valueOf(ports[1]), "--set", "models.policy.backend=openai",
                "--set", "models.policy.base-url=http://127.0.0.1:" + ports[2] + "/v1");
        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(status).as(out.toString(StandardCharsets.UTF_8) + said + logs()).isEqualTo(ReverbCli.COULD_NOT_START);
        assertThat(said).contains("error: cannot start: model 'policy'").contains("127.0.0.1:" + ports[2]);

        assertThat(seed.waitFor(120, TimeUnit.SECONDS)).as("the seed finished alone\n" + logs()).isTrue();
        assertThat(seed.exitValue()).as(logs()).isZero();
        assertThat(Files.readString(dir.resolve("seed.log")))
                .contains("node 127.0.0.1:" + ports[1] + " refused the run and leaves without taking an episode: "
                        + "cannot start: model 'policy'");
        List<String> lines = Files.readAllLines(runFile("quickstart", RunFolder.EPISODES));
        assertThat(lines).hasSize(40).allMatch(l -> l.contains("\"node\":\"" + seedAt + "\""));
    }

    /**
     * A scenario with experiential, reflective and concept memory on a seed and a worker: the seed keeps the one
     * store (the worker has no memory folder of its own), every episode leaves exactly its items there, episodes on
     * the worker recall items that the seed's episodes wrote (and the other way round), distillation runs on the seed,
     * and the verdicts are the one-JVM run's (the stand-in does not read its prompt).
     */
    @Test
    void should_keep_one_memory_on_the_seed_that_every_node_recalls_from_when_the_scenario_has_memory() throws Exception {
        int[] ports = freePorts(2);
        Path scenario = Path.of(System.getProperty("reverb.root", ".")).resolve("scenarios/reflexion-memory.yaml");
        List<String> settings = List.of("environment.count=24", "run.concurrency=3");
        List<String> seedArgs = new ArrayList<>(List.of("seed", scenario.toString(), String.valueOf(ports[0]),
                String.valueOf(LATENCY_MS)));
        seedArgs.addAll(settings);
        seedArgs.add("run.output=" + dir.resolve("cluster"));
        seedArgs.add("memory.folder=" + dir.resolve("memory"));
        String seedAt = "127.0.0.1:" + ports[0];
        List<String> workerSettings = new ArrayList<>(settings);
        workerSettings.add("memory.folder=" + dir.resolve("nowhere")); // never opened: memory lives on the seed
        Process worker = start("worker", List.of(), node(scenario, seedAt, ports[1], workerSettings));
        // the seed holds the in-process embedding model too
        Process seed = start("seed", List.of("-Dakka.cluster.min-nr-of-members=2", "-Xmx768m"),
                seedArgs.toArray(String[]::new));
        assertThat(seed.waitFor(150, TimeUnit.SECONDS)).as("the seed finished\n" + logs()).isTrue();
        assertThat(seed.exitValue()).as(logs()).isZero();
        assertThat(worker.waitFor(30, TimeUnit.SECONDS)).as("the worker exits\n" + logs()).isTrue();
        assertThat(worker.exitValue()).as(logs()).isZero();
        assertThat(dir.resolve("nowhere")).doesNotExist();

        Path episodesFile = runFile("reflexion-memory", RunFolder.EPISODES);
        String runId = episodesFile.getParent().getFileName().toString();
        Map<String, String> nodeOf = new HashMap<>();
        Map<String, Boolean> clustered = new HashMap<>();
        Map<String, List<String>> used = new HashMap<>();
        for (String text : Files.readAllLines(episodesFile)) {
            JsonNode line = Json.MAPPER.readTree(text);
            String episode = line.get("episode").asText();
            assertThat(line.path("status").asText()).isEqualTo("finished");
            assertThat(nodeOf.put(episode, line.path("node").asText())).as("%s recorded once", episode).isNull();
            clustered.put(episode, line.get("correct").asBoolean());
            List<String> ids = new ArrayList<>();
            line.path("memory_used").forEach(id -> ids.add(id.asText()));
            used.put(episode, ids);
        }
        assertThat(Set.copyOf(nodeOf.values())).containsExactlyInAnyOrder(seedAt, "127.0.0.1:" + ports[1]);

        List<MemoryItem> items;
        try (LuceneStore store = LuceneStore.openReadOnly(dir.resolve("memory"))) {
            items = store.list(MemoryQuery.Filter.ANY);
        }
        Map<String, Integer> experiential = new HashMap<>();
        for (MemoryItem item : items) {
            if (item.kind() == MemoryKind.EXPERIENTIAL) {
                experiential.merge(item.tags().get("trajectory"), 1, Integer::sum);
            }
        }
        Map<String, Integer> expected = new HashMap<>();
        nodeOf.keySet().forEach(e -> expected.put(runId + "/" + e, 1));
        assertThat(experiential).as("one experiential item per recorded episode, from every node").isEqualTo(expected);
        assertThat(items).as("reflections and distilled insights").anyMatch(i -> i.kind() == MemoryKind.REFLECTIVE)
                .anyMatch(i -> i.kind() == MemoryKind.CONCEPT);
        assertThat(Files.readString(runFile("reflexion-memory", RunFolder.TRACE))).contains("memory/distill-1");

        Set<String> crossed = new HashSet<>(); // nodes whose episodes used an item another node's episode wrote
        used.forEach((episode, ids) -> ids.stream().filter(id -> id.startsWith("exp:" + runId + "/"))
                .map(id -> id.substring(("exp:" + runId + "/").length(), id.indexOf('@')))
                .filter(writer -> !nodeOf.get(writer).equals(nodeOf.get(episode)))
                .forEach(writer -> crossed.add(nodeOf.get(episode))));
        assertThat(crossed).as("each node recalls what the other's episodes wrote").hasSize(2);

        List<String> localSettings = new ArrayList<>(settings);
        localSettings.add("memory.folder=" + dir.resolve("local-memory"));
        assertThat(clustered).as("the one-JVM run's verdicts").isEqualTo(localRun("reflexion-memory.yaml", localSettings, 24));
    }

    /** A worker's arguments; its slowed model is built from the scenario with the seed's settings, as the seed's is. */
    private static String[] node(Path scenario, String seedAt, int port) {
        return node(scenario, seedAt, port, SETTINGS);
    }

    private static String[] node(Path scenario, String seedAt, int port, List<String> settings) {
        List<String> args = new ArrayList<>(List.of("node", scenario.toString(), seedAt, String.valueOf(port),
                String.valueOf(LATENCY_MS)));
        args.addAll(settings);
        return args.toArray(String[]::new);
    }

    /** The same scenario and seed in one JVM (no latency: the simulated model's answers do not depend on it). */
    private Map<String, Boolean> localRun(String file, List<String> common, int planned) throws Exception {
        List<String> settings = new ArrayList<>(common);
        settings.add("run.output=" + dir.resolve("local"));
        Scenario scenario = ScenarioLoader.load(Path.of(System.getProperty("reverb.root", "."))
                .resolve("scenarios").resolve(file), settings);
        RunFolder folder = RunFolder.create(scenario.run().output(), scenario.name(), scenario.resolvedYaml());
        Runner.run(scenario, folder, new Runner.Options(false, new PrintWriter(new StringWriter()), k -> null));
        Map<String, Boolean> results = new HashMap<>();
        for (JsonNode line : folder.episodeRecords()) {
            results.put(line.get("episode").asText(), line.get("correct").asBoolean());
        }
        assertThat(results).hasSize(planned);
        return results;
    }

    private Path runFile(String scenario, String name) throws IOException {
        Path runs = dir.resolve("cluster").resolve(scenario);
        if (!Files.isDirectory(runs)) {
            return null;
        }
        try (var folders = Files.list(runs)) {
            return folders.map(f -> f.resolve(name)).filter(Files::exists).findFirst().orElse(null);
        }
    }

    private Process start(String name, List<String> settings, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx256m",
                // the user's akka.cluster.* settings apply: a killed node is downed after 2 s, not 10
                "-Dakka.cluster.split-brain-resolver.stable-after=2s",
                // the CLI's logging (warnings on stderr), not the tests' quiet one
                "-Dlogback.configurationFile=" + ClusterProcessesTest.class.getResource("/logback.xml")));
        command.addAll(settings);
        command.add(BenchNode.class.getName());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    private String logs() {
        StringBuilder all = new StringBuilder();
        for (String name : List.of("seed", "victim", "survivor", "worker")) {
            try {
                String log = Files.readString(dir.resolve(name + ".log"));
                all.append("--- ").append(name).append(" ---\n").append(log.length() <= 8000 ? log
                        : log.substring(0, 4000) + "\n[...]\n" + log.substring(log.length() - 4000));
            } catch (IOException e) {
                all.append("--- ").append(name).append(": no log\n");
            }
        }
        return all.toString();
    }

    /** Free loopback ports; the test is skipped (with the reason) when none can be bound. */
    private static int[] freePorts(int n) {
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
        } catch (IOException e) {
            Assumptions.abort("cannot bind a loopback port for the cluster nodes: " + e.getMessage());
        } finally {
            held.forEach(s -> {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // freed anyway
                }
            });
        }
        return ports;
    }
}
