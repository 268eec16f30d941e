package dev.reverb.memory;

import java.util.List;
import java.util.Objects;

/**
 * A finished episode as experiential memory keeps it.
 *
 * @param id          unique and stable across a resumed run (the run and the episode id), so
 *                    remembering it twice writes the same items
 * @param environment the environment's name, e.g. {@code gsm8k}
 * @param taskId      the task's id
 * @param task        the task's question
 * @param protocol    the protocol that ran it
 * @param turns       every agent message, in order
 * @param answer      the final answer
 * @param correct     the verifier's verdict on the final answer
 * @param feedback    the verifier's feedback on the final answer
 */
public record Trajectory(String id, String environment, String taskId, String task, String protocol, List<Turn> turns,
                         String answer, boolean correct, String feedback) {

    /**
     * One agent message.
     *
     * @param agent    who said it
     * @param phase    answer, revise, critique, reflect, judge, ...
     * @param round    0-based round or trial
     * @param text     what was said
     * @param feedback for a reflection: the feedback on the attempt it reflects on; else empty
     */
    public record Turn(String agent, String phase, int round, String text, String feedback) {
        public Turn {
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(text, "text");
            feedback = feedback == null ? "" : feedback;
        }
    }

    public Trajectory {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(answer, "answer");
        turns = List.copyOf(turns);
        feedback = feedback == null ? "" : feedback;
    }
}
