package dev.reverb.runtime.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {

    /** The rows a summary reads of these lines of episodes.jsonl. */
    private static List<dev.reverb.runtime.report.RunData.Episode> rows(List<JsonNode> lines) {
        return lines.stream().map(dev.reverb.runtime.report.RunData::episode).toList();
    }

    private static JsonNode episode(String protocol, boolean... perRound) throws Exception {
        StringBuilder rounds = new StringBuilder();
        for (int i = 0; i < perRound.length; i++) {
            rounds.append(i == 0 ? "" : ",").append("{\"round\":").append(i).append(",\"correct\":").append(perRound[i]).append('}');
        }
        return Json.MAPPER.readTree("{\"protocol\":\"" + protocol + "\",\"correct\":" + perRound[perRound.length - 1]
                + ",\"per_round\":[" + rounds + "],\"prompt_tokens\":10,\"completion_tokens\":5,\"model_calls\":"
                + perRound.length + ",\"latency_ms\":100,\"simulated\":true}");
    }

    @Test
    void should_count_failed_and_unrun_episodes_as_wrong_over_the_planned_ones_when_some_failed() throws Exception {
        List<JsonNode> records = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            records.add(Json.MAPPER.readTree("{\"episode\":\"p/t" + i + "/r0\",\"protocol\":\"p\",\"correct\":"
                    + (i < 6) + ",\"per_round\":[]}"));
        }
        records.add(Json.MAPPER.readTree("{\"episode\":\"p/t8/r0\",\"protocol\":\"p\",\"status\":\"failed\","
                + "\"error\":\"HTTP 500\",\"correct\":false}"));
        records.add(Json.MAPPER.readTree("{\"episode\":\"p/t9/r0\",\"protocol\":\"p\",\"status\":\"failed\","
                + "\"error\":\"HTTP 500\",\"correct\":false}"));
        // t0 failed once before it finished: its latest record counts
        records.add(0, Json.MAPPER.readTree("{\"episode\":\"p/t0/r0\",\"protocol\":\"p\",\"status\":\"failed\","
                + "\"error\":\"timeout\",\"correct\":false}"));

        Summary s = Summary.of("demo", "r1", rows(records), List.of(2.0, 3.5), 2, List.of("p"),
                java.util.Map.of("p", 12), java.util.Map.of("m", "served-model"));

        Summary.ProtocolStats p = s.protocols().get(0);
        assertThat(p.episodes()).isEqualTo(8);
        assertThat(p.failed()).isEqualTo(2);
        assertThat(p.planned()).isEqualTo(12);
        assertThat(p.accuracy()).isEqualTo(6 / 8.0);
        assertThat(p.accuracyOverPlanned()).isEqualTo(6 / 12.0);
        assertThat(p.ci95Planned()).containsExactly(Summary.wilson(6, 12));
        assertThat(s.failures()).containsExactly(java.util.Map.entry("HTTP 500", 2));
        assertThat(s.wallSeconds()).isEqualTo(5.5);
        JsonNode json = s.toJson();
        assertThat(json.path("protocols").path("p").path("not_run").asInt()).isEqualTo(2);
        assertThat(json.path("protocols").path("p").path("accuracy_over_planned_denominator").asInt()).isEqualTo(12);
        assertThat(json.path("models").path("m").path("identity").asText()).isEqualTo("served-model");
        assertThat(s.table()).contains("8/12").contains("0.750 [").contains("0.500 [").contains("2 x HTTP 500");
    }

    @Test
    void should_count_what_failed_episodes_spent_when_summing_tokens_and_calls() throws Exception {
        List<JsonNode> records = List.of(
                Json.MAPPER.readTree("{\"episode\":\"p/t0/r0\",\"protocol\":\"p\",\"correct\":true,\"per_round\":[],"
                        + "\"prompt_tokens\":100,\"completion_tokens\":10,\"model_calls\":2,\"latency_ms\":40}"),
                Json.MAPPER.readTree("{\"episode\":\"p/t1/r0\",\"protocol\":\"p\",\"status\":\"failed\",\"error\":\"x\","
                        + "\"prompt_tokens\":30,\"completion_tokens\":3,\"model_calls\":1,\"latency_ms\":900}"));

        Summary.ProtocolStats p = Summary.of("demo", "r1", rows(records), 1, 1).protocols().get(0);

        assertThat(p.promptTokens()).isEqualTo(130);
        assertThat(p.completionTokens()).isEqualTo(13);
        assertThat(p.modelCalls()).isEqualTo(3);
        assertThat(p.meanLatencyMs()).isEqualTo(40.0); // over finished episodes
    }

    @Test
    void should_match_the_textbook_wilson_interval_when_given_a_proportion() {
        double[] ci = Summary.wilson(8, 10);
        assertThat(ci[0]).isCloseTo(0.4902, within(1e-4));
        assertThat(ci[1]).isCloseTo(0.9433, within(1e-4));
        assertThat(Summary.wilson(0, 10)[0]).isCloseTo(0.0, within(1e-12));
        assertThat(Summary.wilson(10, 10)[1]).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void should_carry_an_early_stop_forward_when_computing_accuracy_by_round() throws Exception {
        List<JsonNode> episodes = new ArrayList<>();
        episodes.add(episode("reflexion", true));               // right at trial 1, stopped
        episodes.add(episode("reflexion", false, true));        // fixed at trial 2
        episodes.add(episode("reflexion", false, false, false)); // never
        episodes.add(episode("debate", false, true));

        Summary s = Summary.of("demo", "r1", rows(episodes), 1.5, 0);

        Summary.ProtocolStats reflexion = s.protocols().get(0);
        assertThat(reflexion.protocol()).isEqualTo("reflexion");
        assertThat(reflexion.episodes()).isEqualTo(3);
        assertThat(reflexion.correct()).isEqualTo(2);
        assertThat(reflexion.accuracyByRound()).containsExactly(new double[] {1 / 3.0, 2 / 3.0, 2 / 3.0}, within(1e-9));
        assertThat(reflexion.modelCalls()).isEqualTo(6);
        assertThat(s.protocols().get(1).accuracyByRound()).containsExactly(0.0, 1.0);
        assertThat(s.simulated()).isTrue();
        assertThat(s.toJson().path("note").asText()).contains("SIMULATED");
        assertThat(s.table()).contains("reflexion").contains("0.33 > 0.67 > 0.67").contains("SIMULATED");
    }

    @Test
    void should_report_unbiased_pass_at_k_when_every_task_ran_several_times() throws Exception {
        List<JsonNode> episodes = new ArrayList<>();
        boolean[][] results = {{true, false, false}, {false, false, false}}; // task a: 1 of 3; task b: 0 of 3
        for (int t = 0; t < results.length; t++) {
            for (boolean right : results[t]) {
                episodes.add(((com.fasterxml.jackson.databind.node.ObjectNode) episode("code", right))
                        .put("task", t == 0 ? "a" : "b"));
            }
        }
        Summary.ProtocolStats code = Summary.of("demo", "r1", rows(episodes), 1, 0).protocols().get(0);
        assertThat(code.passAtK()).containsOnlyKeys(1, 2, 3);
        assertThat(code.passAtK().get(1)).isCloseTo((1.0 / 3) / 2, within(1e-9));
        assertThat(code.passAtK().get(2)).isCloseTo((2.0 / 3) / 2, within(1e-9)); // 1 - C(2,2)/C(3,2) for task a
        assertThat(code.passAtK().get(3)).isCloseTo(0.5, within(1e-9));
        assertThat(Summary.of("demo", "r1", rows(episodes), 1, 0).table()).contains("code: pass@1 0.167, pass@2 0.333, pass@3 0.500");
        assertThat(Summary.of("demo", "r1", rows(episodes.subList(0, 4)), 1, 0).protocols().get(0).passAtK()).isEmpty();
    }
}
