package dev.reverb.runtime.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.MailboxSelector;
import akka.actor.typed.Props;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import dev.reverb.agents.Agent;
import dev.reverb.agents.AgentSpec;
import dev.reverb.agents.Episode;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.trace.TraceSink;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's actors that outlive its episodes: one model gateway per configured model and one agent
 * actor per scenario agent, bound to its model's gateway. Every episode asks the same ones, so they
 * run on a dispatcher of their own ({@link #DISPATCHER}).
 */
public final class Team {

    /**
     * Where a run's gateways and agent actors run (configured in {@code reference.conf}): apart from its
     * episode actors, so a call's answer is passed on at once even while thousands of episodes start.
     */
    public static final String DISPATCHER = "reverb.team-dispatcher";

    private Team() {
    }

    /**
     * Spawns, as children of {@code context}, a gateway for each of {@code models} and an actor for
     * each of {@code agents}; the agents' bindings by name, in {@code agents}' order.
     */
    static Map<String, Episode.Binding> spawn(ActorContext<?> context, Map<String, Experiment.Model> models,
                                              List<AgentSpec> agents, TraceSink trace) {
        Map<String, ActorRef<ModelGateway.Command>> gateways = new HashMap<>();
        models.forEach((name, model) -> gateways.put(name, gateway(context, model, trace, "model-" + safe(name))));
        Map<String, Episode.Binding> bindings = new LinkedHashMap<>();
        for (AgentSpec spec : agents) {
            ActorRef<ModelGateway.Command> gateway = gateways.get(spec.model());
            bindings.put(spec.name(), new Episode.Binding(spec, gateway,
                    context.spawn(Agent.create(spec, gateway), Agent.actorName(spec.name()),
                            dispatcher(context.getSystem()))));
        }
        return bindings;
    }

    /**
     * A gateway to {@code model}, restarted with backoff when it fails, with {@link #gatewayMailbox}, on
     * {@link #DISPATCHER}.
     */
    public static ActorRef<ModelGateway.Command> gateway(ActorContext<?> context, Experiment.Model model,
                                                         TraceSink trace, String name) {
        return context.spawn(Behaviors.supervise(ModelGateway.create(model.backend(), model.settings(), trace))
                        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)),
                name, gatewayMailbox(context.getSystem()).withNext(dispatcher(context.getSystem())));
    }

    /** {@link ModelGateway#MAILBOX} when configured (finished calls overtake new ones), else the default mailbox. */
    private static Props gatewayMailbox(ActorSystem<?> system) {
        return system.settings().config().hasPath(ModelGateway.MAILBOX)
                ? MailboxSelector.fromConfig(ModelGateway.MAILBOX) : Props.empty();
    }

    /** {@link #DISPATCHER} when configured, else the default dispatcher. */
    private static Props dispatcher(ActorSystem<?> system) {
        return system.settings().config().hasPath(DISPATCHER) ? DispatcherSelector.fromConfig(DISPATCHER)
                : Props.empty();
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
