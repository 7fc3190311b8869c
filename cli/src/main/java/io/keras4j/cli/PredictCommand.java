package io.keras4j.cli;

import io.keras4j.Keras4j;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true, description = "Run MODEL on .npy inputs and write DIR/output_0.npy, output_1.npy, ... in the model's output order.")
final class PredictCommand implements Callable<Integer> {
    private final Keras4j keras;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model to run: a file, directory or checkpoint prefix (with --weights).") Path modelPath;

    @Option(names = "--weights", paramLabel = "W", description = "Weights to load into MODEL's architecture.")
    Path weights;

    @Option(names = "--input", paramLabel = "X.npy", required = true, description = "One per model input, in input order.")
    List<Path> inputs;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory for output_N.npy.")
    Path out;

    PredictCommand(Keras4j keras) { this.keras = keras; }

    @Override
    public Integer call() {
        Model model = keras.load(modelPath);
        if (weights != null) model = keras.loadWeights(model, weights, LoadWeightsOptions.DEFAULT);
        CompiledModel compiled = CompiledModel.compile(model);
        List<Tensor> outputs = compiled.predictNpy(inputs);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out, e);
        }
        for (int i = 0; i < outputs.size(); i++) {
            Path f = out.resolve("output_" + i + ".npy");
            Npy.write(outputs.get(i), f);
            spec.commandLine().getOut().printf("%s  %s %s  (%s)%n", f, outputs.get(i).dtype(),
                    java.util.Arrays.toString(outputs.get(i).shape()), compiled.outputNames().get(i));
        }
        return Main.OK;
    }
}
