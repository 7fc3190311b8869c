package io.keras4j.cli;

import io.keras4j.Keras4j;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.runtime.LayerProfile;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.tfgraph.GraphModel;
import io.keras4j.tfgraph.GraphSignature;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
                        + "lists, CSV with one sample a row.",
                "A SavedModel without Keras structure (a Keras 3 model.export()) runs through its TensorFlow graph; "
                        + "--use-graph or --signature does that for any SavedModel (custom layers without a Java "
                        + "implementation then run)."})
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

    @Option(names = "--use-graph", description = "Run a SavedModel's TensorFlow graph (signature serving_default unless "
            + "--signature) instead of rebuilding its Keras layers.")
    boolean useGraph;

    @Option(names = "--signature", paramLabel = "NAME", description = "The SavedModel signature to run through the graph "
            + "(implies --use-graph; `keras4j info` lists them).")
    String signature;

    @Option(names = "--profile", paramLabel = "N", description = "Then time N more predictions layer by layer (after a few "
            + "untimed ones) and print to standard error where the time goes. Not with --use-graph.")
    Integer profile;

    private final boolean unicode;

    PredictCommand(Main.Context context) {
        this.keras = context.keras();
        this.unicode = context.unicode();
    }

    /** What predict needs of a model, whether its Keras layers or its TensorFlow graph run it. */
    private interface Predictor {
        List<String> inputNames();
        List<long[]> inputShapes();
        List<String> outputNames();
        List<Tensor> predict(List<Tensor> inputs);
        /** Per-layer times of {@code calls} predictions, or null where layers do not run (a TensorFlow graph). */
        default LayerProfile profile(List<Tensor> inputs, int warmUpCalls, int calls) { return null; }
    }

    private static Predictor layers(CompiledModel compiled) {
        return new Predictor() {
            @Override public List<String> inputNames() { return compiled.inputNames(); }
            @Override public List<long[]> inputShapes() { return compiled.inputShapes(); }
            @Override public List<String> outputNames() { return compiled.outputNames(); }
            @Override public List<Tensor> predict(List<Tensor> inputs) { return compiled.predictTensors(inputs); }
            @Override public LayerProfile profile(List<Tensor> inputs, int warmUpCalls, int calls) {
                List<NdArray> arrays = inputs.stream()
                        .map(t -> NdArray.wrap(t.toFloatArray(), java.util.Arrays.stream(t.shape()).mapToInt(Math::toIntExact).toArray()))
                        .toList();
                return compiled.profile(arrays, warmUpCalls, calls);
            }
        };
    }

    private static Predictor graph(GraphModel model, String name) {
        GraphSignature sig = model.signature(name);
        return new Predictor() {
            @Override public List<String> inputNames() { return sig.inputs().stream().map(GraphSignature.Spec::name).toList(); }
            @Override public List<long[]> inputShapes() {
                return sig.inputs().stream().map(s -> s.shape() == null ? new long[0] : s.shape()).toList();
            }
            @Override public List<String> outputNames() { return sig.outputs().stream().map(GraphSignature.Spec::name).toList(); }
            @Override public List<Tensor> predict(List<Tensor> inputs) {
                Map<String, Tensor> named = new LinkedHashMap<>();
                for (int i = 0; i < inputs.size(); i++) named.put(inputNames().get(i), inputs.get(i));
                return new ArrayList<>(model.run(name, named).values());
            }
        };
    }

    private Predictor predictor() {
        boolean savedModel = Files.isDirectory(modelPath) && GraphModel.isSavedModel(modelPath);
        if (useGraph || signature != null) {
            if (!savedModel) throw new CliException(Main.USAGE, "--use-graph and --signature need a SavedModel directory; " + modelPath + " is not one");
            if (weights != null) throw new CliException(Main.USAGE, "--weights cannot be combined with --use-graph: the graph runs the SavedModel's own variables");
            GraphModel model = GraphModel.load(modelPath);
            String name = signature == null ? GraphModel.DEFAULT_SIGNATURE : signature;
            if (!model.signatureNames().contains(name)) {
                throw new CliException(Main.USAGE, modelPath + " has no signature '" + name + "'; it has " + model.signatureNames());
            }
            return graph(model, name);
        }
        if (savedModel && weights == null) {
            KerasFile file = keras.read(modelPath);
            if (file.model().isEmpty()) {
                // A Keras 3 export: signatures and variables only, so the graph is the model.
                spec.commandLine().getErr().println("keras4j: " + modelPath + " holds no Keras model; running its TensorFlow graph (signature "
                        + GraphModel.DEFAULT_SIGNATURE + ")");
                return graph(GraphModel.load(modelPath), GraphModel.DEFAULT_SIGNATURE);
            }
        }
        Model model = keras.load(modelPath);
        if (weights != null) model = keras.loadWeights(model, weights, LoadWeightsOptions.DEFAULT);
        try {
            return layers(CompiledModel.compile(model));
        } catch (io.keras4j.UnsupportedModelException e) {
            if (!savedModel || weights != null) throw e;
            // The SavedModel's graph holds the whole computation, custom layers included.
            throw new io.keras4j.UnsupportedModelException(e.reason() + "; or run the SavedModel's TensorFlow graph, which "
                    + "needs no Java layer: keras4j predict " + modelPath + " --use-graph", e.codec().orElse(null), modelPath, null, e);
        }
    }

    @Override
    public Integer call() {
        if (batchSize != null && batchSize < 1) throw new CliException(Main.USAGE, "--batch-size must be at least 1, not " + batchSize);
        if (profile != null && profile < 1) throw new CliException(Main.USAGE, "--profile must be at least 1, not " + profile);
        if (profile != null && (useGraph || signature != null)) {
            throw new CliException(Main.USAGE, "--profile times Keras layers; a TensorFlow graph (--use-graph, --signature) has none");
        }
        Predictor compiled = predictor();
        List<Tensor> x = PredictInputs.read(inputs, compiled.inputNames(), compiled.inputShapes());
        List<Tensor> outputs = batchSize == null ? compiled.predict(x) : batched(compiled, x, batchSize);
        if (out == null) {
            StringBuilder b = new StringBuilder("{");
            for (int i = 0; i < outputs.size(); i++) {
                if (i > 0) b.append(",");
                b.append("\n  \"").append(compiled.outputNames().get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append("\": ");
                PredictInputs.appendJson(b, outputs.get(i));
            }
            spec.commandLine().getOut().println(b.append("\n}"));
            printProfile(compiled, x);
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
        printProfile(compiled, x);
        return Main.OK;
    }

    /** With --profile: the steps of the whole input's predictions in the order they run, on standard error. */
    private void printProfile(Predictor compiled, List<Tensor> x) {
        if (profile == null) return;
        // A few untimed calls first: the JIT compiles the kernels during the first ones.
        int warmUp = Math.max(3, profile / 5);
        LayerProfile p = compiled.profile(x, warmUp, profile);
        if (p == null) {
            throw new CliException(Main.USAGE, "--profile times Keras layers; " + modelPath + " runs as a TensorFlow graph");
        }
        var err = spec.commandLine().getErr();
        err.printf("keras4j: %.3f ms per prediction of the whole input, mean of %d after %d untimed%n",
                p.meanCallNanos() / 1e6, p.calls(), warmUp);
        Table table = new Table("step", "ms", "% of call", "layers fused into it").right(1, 2);
        for (LayerProfile.Step step : p.steps()) {
            table.add(step.layer(), String.format(java.util.Locale.ROOT, "%.3f", step.meanNanos() / 1e6),
                    String.format(java.util.Locale.ROOT, "%.1f", 100 * step.meanNanos() / p.meanCallNanos()),
                    String.join(", ", step.fusedLayers()));
        }
        table.print(err, unicode);
        err.flush();
    }

    /** Predicts batch by batch and joins the outputs along the batch axis. */
    private static List<Tensor> batched(Predictor compiled, List<Tensor> x, int size) {
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
            List<Tensor> y = compiled.predict(batch);
            for (Tensor t : y) {
                if (t.dtype() != io.keras4j.tensor.DType.FLOAT32) {
                    throw new CliException(Main.USAGE, "--batch-size joins float32 outputs only; this model gives " + t.dtype().kerasName()
                            + " (predict without --batch-size)");
                }
            }
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
