package dev.reverb.runtime.run;

import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The console progress of a run: a live bar with the running accuracy on a terminal, a plain
 * line every tenth of the run otherwise (CI logs, pipes), nothing when switched off.
 */
final class Progress implements AutoCloseable {

    private final ProgressBar bar;
    private final PrintWriter out;
    private final boolean show;
    private final int total;
    private int done;
    private int sessionDone;
    private int correct;
    private int lastTenth;

    private Progress(ProgressBar bar, PrintWriter out, boolean show, int total, int done) {
        this.bar = bar;
        this.out = out;
        this.show = show;
        this.total = total;
        this.done = done;
        this.lastTenth = total == 0 ? 10 : done * 10 / total;
    }

    static Progress start(String name, int total, int alreadyDone, boolean show, PrintWriter out) {
        ProgressBar bar = null;
        if (show && System.console() != null) {
            bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total).setUnit(" episodes", 1)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(200)
                    .startsFrom(alreadyDone, java.time.Duration.ZERO).build();
        }
        return new Progress(bar, out, show, total, alreadyDone);
    }

    synchronized void step(boolean wasCorrect) {
        done++;
        sessionDone++;
        correct += wasCorrect ? 1 : 0;
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(accuracy());
        } else if (show && done * 10 / total > lastTenth) {
            lastTenth = done * 10 / total;
            out.printf("%d/%d episodes, %s (this session)%n", done, total, accuracy());
        }
    }

    private String accuracy() {
        return String.format(Locale.ROOT, "accuracy %.3f", (double) correct / sessionDone);
    }

    synchronized void message(String text) {
        out.println(text);
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
