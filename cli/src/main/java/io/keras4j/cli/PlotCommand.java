package io.keras4j.cli;

import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import io.keras4j.spi.OutputFiles;
import io.keras4j.spi.ReadOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "plot", mixinStandardHelpOptions = true,
        description = {"Draw the layer graph as Keras's plot_model does: one box per layer with its name, class and shapes, "
                + "laid out by Eclipse ELK's layered algorithm.",
                "An .svg is the picture alone; an .html page adds pan and zoom (wheel, drag) and shows a clicked layer's "
                + "config and weight statistics. Both are self-contained (no network)."})
final class PlotCommand implements Callable<Integer> {
    /** The names --out accepts, as the usage error lists them. */
    static final String EXTENSIONS = ".svg, .html (or .htm)";

    private final Main.Context context;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "A model file, directory or checkpoint prefix (any format keras4j reads).")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the picture: FILE.svg or FILE.html.")
    Path out;

    @Option(names = "--rankdir", paramLabel = "TB|LR", defaultValue = "TB", description = "Direction of flow: TB top to bottom (default), LR left to right.")
    String rankdir;

    @Option(names = "--show-shapes", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Show each layer's input and output shapes (default; --no-show-shapes leaves them out).")
    boolean showShapes;

    @Option(names = "--expand-nested", description = "Draw nested models as clusters of their own layers instead of one box.")
    boolean expandNested;

    @Option(names = "--format", paramLabel = "NAME", description = "Read with this codec instead of sniffing.")
    String format;

    @Option(names = "--force", description = "Replace an existing OUT that is not an SVG or HTML file (a plot is always replaced).")
    boolean force;

    PlotCommand(Main.Context context) { this.context = context; }

    @Override
    public Integer call() throws IOException {
        String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean html = name.endsWith(".html") || name.endsWith(".htm");
        if (!html && !name.endsWith(".svg")) {
            throw new CliException(Main.USAGE, "--out " + out + ": plot writes " + EXTENSIONS + "; give a name ending in one of them");
        }
        boolean leftToRight = switch (rankdir.toUpperCase(Locale.ROOT)) {
            case "TB" -> false;
            case "LR" -> true;
            default -> throw new CliException(Main.USAGE, "--rankdir must be TB or LR, not '" + rankdir + "'");
        };
        if (Files.exists(out) && Files.exists(model) && Files.isSameFile(model, out)) {
            throw new CliException(Main.USAGE, "--out is MODEL (" + model + "): plot never overwrites its input");
        }
        // Only an earlier picture is replaced silently: a mistyped --out must not destroy someone's file.
        OutputFiles.checkReplaceable(out, "plot", false, force,
                p -> OutputFiles.startsWith(p, (html ? "<!DOCTYPE html>" : "<svg").getBytes(StandardCharsets.US_ASCII)));
        KerasFile file = context.keras().read(model, format, ReadOptions.DEFAULT);
        Model m = file.model().orElseThrow(() -> new CliException(Main.BAD_INPUT,
                model + " holds weights only, no architecture to draw; plot the model file it belongs to"));
        PlotGraph graph = PlotGraph.of(m, expandNested);
        PlotLayout layout = PlotLayout.of(graph, leftToRight, showShapes);
        String title = m.className() + " \"" + m.name() + "\" (" + model.getFileName() + ")";
        String svg = PlotSvg.of(layout, title);
        write(html ? PlotHtml.of(graph, svg, title) : svg);
        spec.commandLine().getOut().printf("wrote %s (%d layers, %d connections%s)%n", out, graph.boxes().size(), graph.edges().size(),
                graph.clusters().isEmpty() ? "" : ", " + graph.clusters().size() + " nested models");
        return Main.OK;
    }

    /** Through a temporary file beside OUT, then moved into place: a failed run leaves no half-written picture. */
    private void write(String text) throws IOException {
        Path target = out.toAbsolutePath();
        Path dir = target.getParent();
        if (dir != null) Files.createDirectories(dir);
        // OutputFiles: the umask's mode, not createTempFile's 0600, survives the move (as every writer does).
        Path tmp = OutputFiles.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
