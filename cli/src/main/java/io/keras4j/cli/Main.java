package io.keras4j.cli;

import io.keras4j.CodecNotInstalledException;
import io.keras4j.CorruptModelException;
import io.keras4j.InvalidOptionException;
import io.keras4j.Keras4j;
import io.keras4j.Keras4jException;
import io.keras4j.UnknownFormatException;
import io.keras4j.UnsupportedModelException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keras4j}: inspect, convert and list the codecs of Keras models. */
@Command(name = "keras4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Read, write, convert, inspect and run Keras models in pure Java.",
        subcommands = {InfoCommand.class, ConvertCommand.class, CodecsCommand.class, PredictCommand.class})
public final class Main implements Runnable {
    /** Exit codes: documented in the README. */
    public static final int OK = 0;
    public static final int USAGE = 2;
    public static final int UNKNOWN_FORMAT = 3;
    public static final int BAD_INPUT = 4;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { throw new CommandLine.ParameterException(spec.commandLine(), "a command is required"); }

    public static void main(String[] args) { System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true))); }

    /** Runs the command line with the given output streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main(), new Factory(Keras4j.create()));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(Main::exitCode);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("keras4j: " + message(e));
            if (System.getenv("KERAS4J_TRACE") != null) e.printStackTrace(cmd.getErr());
            return exitCode(e);
        });
        return cli.execute(args);
    }

    static int exitCode(Throwable e) {
        if (e instanceof CommandLine.ParameterException || e instanceof InvalidOptionException) return USAGE;
        if (e instanceof UnknownFormatException || e instanceof CodecNotInstalledException) return UNKNOWN_FORMAT;
        if (e instanceof CorruptModelException || e instanceof UnsupportedModelException || e instanceof Keras4jException) return BAD_INPUT;
        if (e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) return BAD_INPUT;
        return 1;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.toString() : m;
    }

    /** Gives every command the same {@link Keras4j} instance. */
    private record Factory(Keras4j keras) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            for (var c : cls.getDeclaredConstructors()) {
                if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == Keras4j.class) {
                    c.setAccessible(true);
                    return cls.cast(c.newInstance(keras));
                }
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"keras4j " + Keras4j.versionOf(Main.class)};
        }
    }
}
