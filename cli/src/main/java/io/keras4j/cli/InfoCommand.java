package io.keras4j.cli;

import io.keras4j.core.KerasJson;
import io.keras4j.model.KerasFile;
import io.keras4j.spi.ReadOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true, description = "Show format, Keras version, inputs, outputs and a summary of the layers.")
final class InfoCommand implements Callable<Integer> {
    private final Main.Context context;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "A model file, directory or checkpoint prefix.")
    Path file;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--format", paramLabel = "NAME", description = "Read with this codec instead of sniffing.")
    String format;

    @Option(names = "--expand-nested", description = "List the layers of nested models under their row.")
    boolean expandNested;

    @Option(names = "--weights", description = "List every weight: shape, dtype, bytes, min, max, mean, std, NaN and Inf counts.")
    boolean weights;

    InfoCommand(Main.Context context) { this.context = context; }

    @Override
    public Integer call() {
        KerasFile kf = context.keras().read(file, format, ReadOptions.DEFAULT);
        ModelSummary summary = new ModelSummary(kf, OutputShapes.of(kf.model().orElse(null)), expandNested, weights);
        if (json) spec.commandLine().getOut().println(KerasJson.toText(summary.toJson(), true));
        else summary.printText(spec.commandLine().getOut(), context.unicode());
        return Main.OK;
    }
}
