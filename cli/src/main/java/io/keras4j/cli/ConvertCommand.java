package io.keras4j.cli;

import io.keras4j.Keras4j;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.WriteOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "convert", mixinStandardHelpOptions = true, description = "Read IN (plus weights from --weights) and write OUT in the format named or implied by OUT.")
final class ConvertCommand implements Callable<Integer> {
    private final Keras4j keras;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "The model to read: a file, directory or checkpoint prefix.") Path in;
    @Parameters(index = "1", paramLabel = "OUT", description = "Where to write; its name picks the format unless --to does.") Path out;

    @Option(names = "--to", paramLabel = "NAME", description = "Codec to write with (default: from OUT's name, as Keras does).")
    String to;

    @Option(names = "--from", paramLabel = "NAME", description = "Codec to read IN with (default: sniffed).")
    String from;

    @Option(names = "--weights", paramLabel = "W", description = "Weights to load into IN's architecture, in any weights format.")
    Path weights;

    @Option(names = "--by-name", description = "Match weights to layers by name instead of by order.")
    boolean byName;

    @Option(names = "--skip-mismatch", description = "Skip layers whose weights do not fit instead of failing.")
    boolean skipMismatch;

    @Option(names = "--dialect", paramLabel = "keras2|keras3", description = "Keras generation of the output (default keras3).")
    String dialect = "keras3";

    @Option(names = "--weights-only", description = "Write only the weights where the format allows both.")
    boolean weightsOnly;

    @Option(names = "--allow-semantic-change",
            description = "Convert layers whose meaning the target Keras generation changes (tf.keras hard_sigmoid is not "
                    + "Keras 3's), so the written file predicts differently; without it such a conversion is refused.")
    boolean allowSemanticChange;

    @Option(names = "--force",
            description = "Replace an existing OUT even when it is not of the format written (a device or pipe never).")
    boolean force;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A property of the writing codec (repeatable); the keys are listed below.")
    java.util.Map<String, String> properties = new java.util.LinkedHashMap<>();

    ConvertCommand(Keras4j keras) { this.keras = keras; }

    /**
     * Keras's {@code skip_mismatch}: a skipped layer keeps the weights it was built with. Here it gets them from its
     * initializers (seeded, so a rerun writes the same file), and each one is named on stderr: nothing is skipped silently.
     */
    private Model keepInitialWeights(Model loaded) {
        List<String> skipped = new java.util.ArrayList<>();
        collectUnfilled(loaded, "", skipped);
        if (skipped.isEmpty()) return loaded;
        spec.commandLine().getErr().printf("skipped %d layer%s whose weights did not match %s: %s; %s from %s initializers%n",
                skipped.size(), skipped.size() == 1 ? "" : "s", weights, String.join(", ", skipped),
                skipped.size() == 1 ? "it gets its weights" : "they get their weights", skipped.size() == 1 ? "its" : "their");
        return io.keras4j.runtime.ModelInitializer.initializeMissing(loaded, 0);
    }

    private static void collectUnfilled(Model model, String prefix, List<String> out) {
        for (io.keras4j.model.Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) {
                collectUnfilled(l.nestedModel().get(), prefix + l.name() + "/", out);
            } else if (l.weights().isEmpty() && io.keras4j.core.WeightBinder.expectsWeights(l)) {
                out.add("'" + prefix + l.name() + "' (" + l.className() + ")");
            }
        }
    }

    @Override
    public Integer call() {
        Dialect d = switch (dialect.toLowerCase()) {
            case "keras2" -> Dialect.KERAS2;
            case "keras3" -> Dialect.KERAS3;
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--dialect must be keras2 or keras3, not '" + dialect + "'");
        };
        // Before reading IN: an unknown target format or --set key should not cost a load.
        io.keras4j.spi.Codec writer = Main.writerFor(keras, out, to);
        WriteProperties.check(spec.commandLine(), writer, keras, properties);
        Model model = keras.load(in, from);
        if (weights != null) {
            Model architecture = model;
            model = keras.loadWeights(architecture, weights, new LoadWeightsOptions(byName, skipMismatch));
            if (!architecture.hasWeights()) model = ArchitectureShapes.check(architecture, model, weights, skipMismatch);
            if (skipMismatch) model = keepInitialWeights(model);
        }
        WriteOptions options = WriteOptions.DEFAULT.withDialect(d).withWeightsOnly(weightsOnly)
                .withAllowSemanticChange(allowSemanticChange);
        for (var p : properties.entrySet()) options = options.withProperty(p.getKey(), p.getValue());
        if (force) options = options.withProperty(io.keras4j.spi.OutputFiles.OVERWRITE, "true");
        keras.save(model, out, to, options);
        spec.commandLine().getOut().printf("wrote %s (%s, %d layers, %d weights)%n", out,
                keras.registry().forTarget(out, to).info().name(), model.layers().size(), model.weights().size());
        return Main.OK;
    }
}
