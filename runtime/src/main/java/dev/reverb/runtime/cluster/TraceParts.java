package dev.reverb.runtime.cluster;

import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.trace.TraceEvent;

/**
 * How a worker bounds the trace events one message carries: Artery refuses a message over its
 * {@code maximum-frame-size} (4 MiB in {@code reference.conf}), and one long episode's events (every prompt
 * and output) can exceed it. Sizes are overestimated from the text a JSON line of the event holds: 3 bytes
 * per character (UTF-8's most for a Java char), so even a text of escaped control characters (6 bytes per
 * character) stays within twice the estimate.
 */
final class TraceParts {

    /** Events are sent ahead once their estimate reaches this: at most ~2 MiB on the wire, plus one event. */
    static final long PART = 1 << 20;

    private static final int FIELDS = 300;

    private TraceParts() {
    }

    /** An overestimate of {@code event}'s serialised size in bytes. */
    static long size(TraceEvent event) {
        long chars = 0;
        if (event instanceof TraceEvent.AgentMessage m) {
            chars = length(m.text()) + length(m.agent()) + length(m.role());
        } else if (event instanceof TraceEvent.ModelCall c) {
            chars = length(c.agent()) + length(c.model()) + length(c.error()) + length(c.identity());
            for (ChatMessage m : c.prompt()) {
                chars += length(m.content()) + 30;
            }
            for (String output : c.outputs()) {
                chars += length(output) + 4;
            }
            for (TraceEvent.TryError t : c.tries()) {
                chars += length(t.error()) + 80;
            }
        } else if (event instanceof TraceEvent.ProtocolEvent p) {
            chars = length(p.protocol()) + length(p.event()) + length(p.detail());
        }
        return 3 * (chars + length(event.episodeId())) + FIELDS;
    }

    private static long length(String s) {
        return s == null ? 0 : s.length();
    }
}
