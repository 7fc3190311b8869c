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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Run MODEL on the inputs and print the outputs as JSON ({\"output name\": nested lists}), or with "
                + "--out write DIR/output_0.npy, output_1.npy, ... in the model's output order.",
                "Inputs: .npy (C or Fortran order), one .npz or JSON object with an array per input name, JSON nested "
                        + "lists, CSV with one sample a row."})
final class PredictCommand implements Callable<Integer> {
    private final Keras4j keras;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model to run: a file, directory or checkpoint prefix (with --weights).") Path modelPath;

    @Option(names = "--weights", paramLabel = "W", description = "Weights to load into MODEL's architecture.")
    Path weights;

    @Option(names = "--input", paramLabel = "X", required = true,
            description = "One file per model input in input order (.npy, .json, .csv), or one .npz/JSON object holding them by name.")
    List<Path> inputs;

    @Option(names = "--out", paramLabel = "DIR", description = "Directory for output_N.npy (default: JSON on standard output).")
    Path out;

    @Option(names = "--batch-size", paramLabel = "N", description = "Predict N samples at a time, reading the inputs a batch at a time (default: all at once).")
    Integer batchSize;

    PredictCommand(Keras4j keras) { this.keras = keras; }

    @Override
    public Integer call() {
        if (batchSize != null && batchSize < 1) throw new CliException(Main.USAGE, "--batch-size must be at least 1, not " + batchSize);
        Model model = keras.load(modelPath);
        if (weights != null) model = keras.loadWeights(model, weights, LoadWeightsOptions.DEFAULT);
        CompiledModel compiled = CompiledModel.compile(model);
        List<Tensor> x = PredictInputs.read(inputs, compiled.inputNames(), compiled.inputShapes());
        List<Tensor> outputs = batchSize == null ? compiled.predictTensors(x) : batched(compiled, x, batchSize);
        if (out == null) {
            StringBuilder b = new StringBuilder("{");
            for (int i = 0; i < outputs.size(); i++) {
                if (i > 0) b.append(",");
                b.append("\n  \"").append(compiled.outputNames().get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append("\": ");
                PredictInputs.appendJson(b, outputs.get(i));
            }
            spec.commandLine().getOut().println(b.append("\n}"));
            return Main.OK;
        }
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

    /** Predicts batch by batch and joins the outputs along the batch axis. */
    private static List<Tensor> batched(CompiledModel compiled, List<Tensor> x, int size) {
        long n = x.isEmpty() ? 0 : x.get(0).shape()[0];
        for (Tensor t : x) {
            if (t.shape()[0] != n) {
                throw new io.keras4j.UnsupportedModelException("the inputs hold different numbers of samples: "
                        + x.stream().map(u -> String.valueOf(u.shape()[0])).toList());
            }
        }
        List<List<float[]>> parts = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        for (long from = 0; from < n; from += size) {
            long to = Math.min(n, from + size);
            List<Tensor> batch = new ArrayList<>();
            for (Tensor t : x) batch.add(PredictInputs.rows(t, from, to));
            List<Tensor> y = compiled.predictTensors(batch);
            for (int i = 0; i < y.size(); i++) {
                if (parts.size() <= i) {
                    parts.add(new ArrayList<>());
                    shapes.add(y.get(i).shape());
                }
                parts.get(i).add(y.get(i).toFloatArray());
            }
        }
        List<Tensor> joined = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            int total = parts.get(i).stream().mapToInt(a -> a.length).sum();
            float[] all = new float[total];
            int at = 0;
            for (float[] p : parts.get(i)) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            long[] shape = shapes.get(i).clone();
            shape[0] = n;
            joined.add(Tensor.ofFloats(all, shape));
        }
        return joined;
    }
}
