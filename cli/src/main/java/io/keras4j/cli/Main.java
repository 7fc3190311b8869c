package io.keras4j.cli;

import io.keras4j.CodecFailureException;
import io.keras4j.CodecNotInstalledException;
import io.keras4j.CorruptModelException;
import io.keras4j.InvalidOptionException;
import io.keras4j.Keras4j;
import io.keras4j.Keras4jException;
import io.keras4j.UnknownFormatException;
import io.keras4j.UnsupportedModelException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keras4j}: inspect, convert and list the codecs of Keras models. */
@Command(name = "keras4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Read, write, convert, inspect and run Keras models in pure Java.",
        subcommands = {InfoCommand.class, ConvertCommand.class, CodecsCommand.class, PredictCommand.class, DiffCommand.class, EditCommand.class, PlotCommand.class,
                CompletionCommand.class, CommandLine.HelpCommand.class},
        // Lines under 80 columns, so picocli does not wrap them.
        footer = {"", "Exit codes: 0 done, 1 any other failure (and for diff: the models differ),",
                "2 usage (a bad option, --set key or value), 3 unknown format,",
                "4 unsupported or corrupt input, 5 a codec's own bug (it failed unexpectedly;",
                "KERAS4J_TRACE=1 prints the stack trace to report).",
                "Run 'keras4j help COMMAND' for a command's options."})
public final class Main implements Runnable {
    /** Exit codes: documented in the README. */
    public static final int OK = 0;
    public static final int USAGE = 2;
    public static final int UNKNOWN_FORMAT = 3;
    public static final int BAD_INPUT = 4;
    /** A codec failed unexpectedly: a bug in it, not bad input ({@link CodecFailureException}). */
    public static final int CODEC_FAILURE = 5;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { throw new CommandLine.ParameterException(spec.commandLine(), "a command is required"); }

    public static void main(String[] args) { System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true))); }

    /** Runs the command line with the given output streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, Table.stdoutCharset());
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, drawing tables for text that {@code charset} will encode. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, java.nio.charset.Charset charset) {
        return commandLine(out, err, charset).execute(args);
    }

    /** The whole command tree, ready to execute: its specs are what help, completion and the tests walk. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, java.nio.charset.Charset charset) {
        Keras4j keras = Keras4j.create();
        CommandLine cli = new CommandLine(new Main(), new Factory(new Context(keras, Table.canDrawBoxes(charset))));
        // convert --help lists the --set keys of the codecs actually installed.
        List<String> footer = new ArrayList<>(List.of("", "Write properties (--set KEY=VALUE), by codec:"));
        List<String> keys = WriteProperties.helpLines(keras);
        footer.addAll(keys.isEmpty() ? List.of("  (none)") : keys);
        cli.getSubcommands().get("convert").getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(Main::exitCode);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean trace = System.getenv("KERAS4J_TRACE") != null;
            cmd.getErr().println("keras4j: " + message(e));
            if (e instanceof CodecFailureException && !trace) {
                cmd.getErr().println("keras4j: run again with KERAS4J_TRACE=1 for the stack trace to put in the report");
            }
            if (trace) e.printStackTrace(cmd.getErr());
            return exitCode(e);
        });
        return cli;
    }

    static int exitCode(Throwable e) {
        if (e instanceof CliException c) return c.exitCode();
        if (e instanceof CommandLine.ParameterException || e instanceof InvalidOptionException) return USAGE;
        if (e instanceof UnknownFormatException || e instanceof CodecNotInstalledException) return UNKNOWN_FORMAT;
        if (e instanceof CodecFailureException) return CODEC_FAILURE;
        if (e instanceof CorruptModelException || e instanceof UnsupportedModelException || e instanceof Keras4jException) return BAD_INPUT;
        if (e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) return BAD_INPUT;
        return 1;
    }

    /**
     * The codec that writes {@code out}: a name that says no format is an unknown format (exit 3, as the README has
     * it), not bad input.
     */
    static io.keras4j.spi.Codec writerFor(Keras4j keras, java.nio.file.Path out, String to) {
        try {
            return keras.registry().forTarget(out, to);
        } catch (CodecNotInstalledException | UnknownFormatException e) {
            throw e;
        } catch (Keras4jException e) {
            throw new CliException(UNKNOWN_FORMAT, e.getMessage());
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.toString() : m;
    }

    /** What every command shares: one {@link Keras4j} and whether the output can carry box drawing. */
    record Context(Keras4j keras, boolean unicode) {}

    /** Gives every command the same {@link Context} (or its {@link Keras4j}). */
    private record Factory(Context context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            for (var c : cls.getDeclaredConstructors()) {
                if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == Keras4j.class) {
                    c.setAccessible(true);
                    return cls.cast(c.newInstance(context.keras()));
                }
                if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == Context.class) {
                    c.setAccessible(true);
                    return cls.cast(c.newInstance(context));
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
