package dev.reverb.environments;

/**
 * An environment an agent acts in one step at a time (the text world), besides grading a whole
 * answer: ReAct-style protocols open a session per attempt and send it actions.
 */
public interface InteractiveEnvironment extends Environment {

    /** A fresh episode of the task. */
    Session session(Task task);

    /** One episode: the first observation, then an observation per action. */
    interface Session {

        /** What the agent sees first: the goal and its surroundings. */
        String observation();

        /** Performs one action. */
        Outcome step(String action);
    }

    /**
     * What one action did.
     *
     * @param observation what the agent sees now (or why the action could not be done)
     * @param valid       whether the action could be done
     * @param done        whether the task is accomplished
     * @param over        whether no more actions are possible (the budget is spent)
     */
    record Outcome(String observation, boolean valid, boolean done, boolean over) {
    }
}
