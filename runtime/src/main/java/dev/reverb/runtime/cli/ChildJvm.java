package dev.reverb.runtime.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command that starts a benchmark's child JVM as this one was started: the same {@code java}, class
 * path and JVM options (the launcher's collector setting and class-data archive, the user's
 * {@code REVERB_JAVA_OPTS}), with a heap of its own. So a bench in a child JVM measures what {@code reverb run}
 * gets. Options that belong to this process alone are not passed on: its heap sizes, a flight recording,
 * an agent or a debugger, and the writing of a class-data archive. A child that runs what the archive is
 * for (a run) writes it instead, next to this JVM's with {@link #CHILD_ARCHIVE} appended, and {@code ./reverb}
 * keeps that one: this JVM only starts the child, so its archive would lack a run's classes.
 */
final class ChildJvm {

    /** Appended to the name of the archive a child writes in this JVM's stead ({@code ./reverb} keeps it). */
    static final String CHILD_ARCHIVE = ".child";

    private static final String WRITE_ARCHIVE = "-XX:ArchiveClassesAtExit=";

    /** The prefixes of the options not passed on. */
    private static final List<String> OWN = List.of("-Xmx", "-Xms", WRITE_ARCHIVE,
            "-XX:StartFlightRecording", "-XX:FlightRecorderOptions", "-agentlib", "-agentpath", "-javaagent",
            "-Xrunjdwp", "-Xdebug");

    private ChildJvm() {
    }

    /**
     * {@code java}, this JVM's {@link #options}, {@code -Xmx}heap, {@code extra}, the class path and {@code main};
     * with {@code writesArchive}, the child writes the class-data archive this JVM was to write.
     */
    static List<String> command(String heap, List<String> extra, String main, boolean writesArchive) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options(ManagementFactory.getRuntimeMXBean().getInputArguments(), writesArchive));
        command.add("-Xmx" + heap);
        if (!command.contains("-Dai.djl.offline=true")) {
            command.add("-Dai.djl.offline=true");
        }
        command.addAll(extra);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        return command;
    }

    /** Of a JVM's {@code arguments}, those a child JVM is started with too. */
    static List<String> options(List<String> arguments, boolean writesArchive) {
        List<String> options = new ArrayList<>();
        for (String arg : arguments) {
            if (writesArchive && arg.startsWith(WRITE_ARCHIVE)) {
                options.add(arg + CHILD_ARCHIVE);
            } else if (OWN.stream().noneMatch(arg::startsWith)) {
                options.add(arg);
            }
        }
        return options;
    }
}
