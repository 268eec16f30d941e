package dev.reverb.agents.protocol;

import dev.reverb.agents.Episode;

/**
 * Re-asking for a final answer when none can be read from a reply (the environment's
 * {@code extractAnswer} is empty): a short repair prompt, at most {@code repairs} times per attempt;
 * after that the attempt is graded as it is and its round says "no answer found". Shared by the
 * protocols that offer the {@code repairs} setting (reflexion, critique-revise).
 */
final class Repairs {

    /** The setting's key. */
    static final String KEY = "repairs";
    /** Repair prompts per attempt unless the scenario says otherwise. */
    static final int DEFAULT = 1;
    /** The most a scenario may ask for. */
    static final int MAX = 5;
    /** The setting's description. */
    static final String DESCRIPTION = "Repair prompts at most per attempt when no final answer can be read from a reply "
            + "(0 to 5); after them the attempt counts as failed with 'no answer found'.";
    /** What the agent is told, first in the feedback slot (its unreadable reply follows there, and is the answer slot). */
    static final String PROMPT = "Your reply had no final answer that could be read. State your final answer again, in"
            + " exactly the form the instructions ask for (a number or expression: a last line \"The answer is X.\";"
            + " code: one fenced code block).";

    /** Characters of the unreadable reply quoted back at most (its end, where a final answer would be). */
    static final int QUOTED = 4000;

    private Repairs() {
    }

    /** The feedback of a repair prompt: the instruction, then the reply that had no answer (its end, when long). */
    static String feedback(String reply) {
        String quoted = reply.length() <= QUOTED ? reply : "[...]" + reply.substring(reply.length() - QUOTED);
        return PROMPT + "\n\nYour last reply:\n" + quoted.strip();
    }

    /** Whether a final answer can be read from {@code text}; an extractor that throws leaves it to the verifier. */
    static boolean answered(Episode episode, String text) {
        try {
            return episode.environment().extractAnswer(text).isPresent();
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** The reason a round records when no answer could be read after {@code repairs} repair prompts. */
    static String noAnswer(int repairs) {
        return "no answer found" + (repairs == 0 ? "" : " after " + repairs + " repair prompt" + (repairs == 1 ? "" : "s"));
    }

    static void check(int repairs) {
        if (repairs < 0 || repairs > MAX) {
            throw new IllegalArgumentException("repairs must be from 0 to " + MAX + ", got " + repairs);
        }
    }
}
