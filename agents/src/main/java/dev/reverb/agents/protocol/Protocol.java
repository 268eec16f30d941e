package dev.reverb.agents.protocol;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import dev.reverb.agents.Episode;
import java.util.List;

/**
 * An interaction protocol: how a team of agents works one task. Each episode is one actor made
 * by {@link #behavior}; it asks the run's agents (actors that outlive it) for turns, runs its rounds, and tells
 * {@code replyTo} exactly one {@link EpisodeOutcome}, then stops.
 */
public interface Protocol {

    /** The protocol's name in the scenario (unique within the run). */
    String name();

    /** The agent names this protocol uses, so a scenario can be checked before it runs. */
    List<String> agents();

    Behavior<?> behavior(Episode episode, ActorRef<EpisodeOutcome> replyTo);
}
