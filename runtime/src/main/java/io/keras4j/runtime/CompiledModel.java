package io.keras4j.runtime;

import io.keras4j.UnsupportedModelException;
import io.keras4j.core.Dialects;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import io.keras4j.runtime.graph.Graph;
import io.keras4j.runtime.graph.GraphCompiler;
import io.keras4j.runtime.graph.LayerFactory;
import io.keras4j.runtime.spi.BufferArena;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerProvider;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A Keras model compiled once into an executable graph, predicting in pure Java with Keras's inference semantics.
 * Immutable and thread-safe: any number of threads may call {@code predict} at the same time.
 *
 * <pre>{@code
 * CompiledModel m = CompiledModel.compile(model);          // model with weights bound to its layers
 * List<Tensor> y = m.predict(List.of(Npy.read(input)));    // outputs in model.outputs order
 * }</pre>
 */
public final class CompiledModel {
    private final String name;
    private final Graph graph;
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final CallContext context;
    /** Arenas of calls that finished, one taken per call so concurrent calls never share one; null: no reuse. */
    private final java.util.Queue<java.lang.ref.SoftReference<BufferArena>> arenas;

    private CompiledModel(String name, Graph graph, List<String> inputNames, List<String> outputNames, CallContext context,
                          boolean reuseBuffers) {
        this.name = name;
        this.graph = graph;
        this.inputNames = inputNames;
        this.outputNames = outputNames;
        this.context = context;
        this.arenas = reuseBuffers ? new java.util.concurrent.ConcurrentLinkedQueue<>() : null;
    }

    public static CompiledModel compile(Model model) { return compile(model, RuntimeOptions.defaults()); }

    /**
     * Compiles {@code model}, which must carry its weights. Fails here, not at predict time, when a layer has no
     * Java implementation or its weights do not fit its config.
     */
    public static CompiledModel compile(Model model, RuntimeOptions options) {
        Model keras3 = keras3(model);
        Graph graph = new GraphCompiler(factory(model, options), true).build(keras3);
        return new CompiledModel(model.name(), graph, names(keras3.inputs(), keras3, true), names(keras3.outputs(), keras3, false),
                new CallContext(options.executor(), options.parallelism(), options.minWorkPerChunk()), options.reuseBuffers());
    }

    /** Shape inference only: works on a model without weights (architecture from a JSON file, say). */
    static Graph inspect(Model model, RuntimeOptions options) {
        return new GraphCompiler(factory(model, options), false).build(keras3(model));
    }

    static Model keras3(Model model) {
        return model.dialect() == Dialect.KERAS3 ? model : withSoftmaxMasks(model, Dialects.convert(model, Dialect.KERAS3));
    }

    /**
     * tf.keras's {@code Softmax()(x, mask=m)} computes with m's values (it adds {@code (1 - m) * -1e9}), but the Keras 3
     * form drops tf.keras's explicit mask arguments (Keras 3 propagates masks itself): the runtime passes m to the
     * Softmax as its second tensor instead. Refused inside nested models, whose node numbering the conversion shifts.
     */
    private static Model withSoftmaxMasks(Model source, Model keras3) {
        Map<String, io.keras4j.model.Layer> byName = new HashMap<>();
        for (io.keras4j.model.Layer l : source.layers()) if (isMaskedSoftmax(l)) byName.put(l.name(), l);
        for (io.keras4j.model.Layer l : source.layers()) {
            Model nested = l.nestedModel().orElse(null);
            if (nested != null && nested.layers().stream().anyMatch(CompiledModel::isMaskedSoftmax)) {
                throw new UnsupportedModelException("model '" + nested.name() + "': a Softmax given a mask tensor inside a "
                        + "nested tf.keras model is not supported by the keras4j runtime yet");
            }
        }
        if (byName.isEmpty()) return keras3;
        List<io.keras4j.model.Layer> layers = new ArrayList<>();
        for (io.keras4j.model.Layer l : keras3.layers()) {
            io.keras4j.model.Layer tfKeras = byName.get(l.name());
            if (tfKeras == null || tfKeras.inboundNodes().size() != l.inboundNodes().size()) {
                layers.add(l);
                continue;
            }
            List<io.keras4j.model.InboundNode> nodes = new ArrayList<>();
            for (int n = 0; n < l.inboundNodes().size(); n++) {
                io.keras4j.model.InboundNode node = l.inboundNodes().get(n);
                io.keras4j.json.JsonValue given = tfKeras.inboundNodes().get(n).kwargs().get("mask");
                if (given.isNull()) {
                    nodes.add(node);
                    continue;
                }
                TensorRef mask = io.keras4j.core.KerasTensors.legacyRef(given);
                if (mask == null || node.inputs().size() != 1) {
                    throw new UnsupportedModelException("layer '" + l.name() + "' (Softmax): its mask= argument "
                            + given.toJson() + " is not one tensor");
                }
                nodes.add(new io.keras4j.model.InboundNode(List.of(node.inputs().get(0), mask), node.kwargs(), null));
            }
            layers.add(l.toBuilder().inboundNodes(nodes).build());
        }
        return keras3.withLayers(layers);
    }

    private static boolean isMaskedSoftmax(io.keras4j.model.Layer l) {
        return l.className().equals("Softmax") && l.inboundNodes().stream()
                .anyMatch(n -> n.kwargs().has("mask") && !n.kwargs().get("mask").isNull());
    }

    private static void collectLayers(Model model, Map<String, io.keras4j.model.Layer> out) {
        for (io.keras4j.model.Layer l : model.layers()) {
            out.putIfAbsent(l.name(), l);
            l.nestedModel().ifPresent(m -> collectLayers(m, out));
        }
    }

    private static LayerFactory factory(Model model, RuntimeOptions options) {
        List<LayerProvider> providers = new ArrayList<>(options.providers());
        if (options.discoverProviders()) {
            ServiceLoader.load(LayerProvider.class, CompiledModel.class.getClassLoader()).forEach(providers::add);
        }
        Map<String, io.keras4j.model.Layer> sourceLayers = new HashMap<>();
        collectLayers(model, sourceLayers);
        return new LayerFactory(providers, model.dialect(), sourceLayers);
    }

    private static List<String> names(List<TensorRef> refs, Model model, boolean inputs) {
        if (!refs.isEmpty()) return refs.stream().map(TensorRef::layer).toList();
        List<io.keras4j.model.Layer> layers = model.layers();
        return List.of(inputs ? layers.get(0).name() : layers.get(layers.size() - 1).name());
    }

    public String name() { return name; }

    public List<String> inputNames() { return inputNames; }

    public List<String> outputNames() { return outputNames; }

    /** Declared input shapes, batch axis first; {@code -1} where unknown. */
    public List<long[]> inputShapes() { return graph.inputShapes(); }

    public List<long[]> outputShapes() { return graph.outputShapes(); }

    /** The output shapes of a layer's first call (a summary() row), or empty for an unknown or input layer. */
    public Optional<List<long[]>> outputShapes(String layerName) {
        List<List<long[]>> calls = graph.layerOutputShapes().get(layerName);
        return calls == null ? Optional.empty() : Optional.of(calls.get(0));
    }

    /** Shapes of the compiled model: inputs, outputs, every layer's outputs and weights. */
    public ModelShapes shapes() { return new ModelShapes(graph); }

    /** Predicts on arrays (batch axis first), one per model input; returns one array per model output. */
    public List<NdArray> predict(List<NdArray> inputs) { return run(inputs, null); }

    /**
     * Times each step of {@code calls} predictions on {@code inputs}, after {@code warmUpCalls} untimed ones (the
     * JIT compiles the kernels in the first calls), with this model's options (threads, buffer reuse). For finding
     * the layers that take the time; {@code benchmarks/} has the JMH benchmarks for comparing speeds.
     */
    public LayerProfile profile(List<NdArray> inputs, int warmUpCalls, int calls) {
        if (warmUpCalls < 0 || calls < 1) {
            throw new IllegalArgumentException("need warmUpCalls >= 0 and calls >= 1, got " + warmUpCalls + " and " + calls);
        }
        for (int i = 0; i < warmUpCalls; i++) run(inputs, null);
        List<String> layers = graph.stepLayers();
        long[] total = new long[layers.size()];
        Graph.StepTimes times = (step, nanos) -> total[step] += nanos;
        long started = System.nanoTime();
        for (int i = 0; i < calls; i++) run(inputs, times);
        double perCall = (double) (System.nanoTime() - started) / calls;
        List<List<String>> fused = graph.stepFusedLayers();
        List<LayerProfile.Step> steps = new ArrayList<>();
        for (int s = 0; s < layers.size(); s++) steps.add(new LayerProfile.Step(layers.get(s), fused.get(s), (double) total[s] / calls));
        return new LayerProfile(steps, calls, perCall);
    }

    private List<NdArray> run(List<NdArray> inputs, Graph.StepTimes times) {
        if (inputs.size() != inputNames.size()) {
            throw new UnsupportedModelException("model '" + name + "' takes " + inputNames.size() + " inputs " + inputNames
                    + ", got " + inputs.size());
        }
        List<Value> values = new ArrayList<>();
        List<long[]> declared = graph.inputShapes();
        for (int i = 0; i < inputs.size(); i++) {
            checkShape(i, declared.get(i), inputs.get(i).shape());
            values.add(Value.of(inputs.get(i)));
        }
        if (arenas == null) return graph.call(values, context, times).stream().map(Value::array).toList();
        BufferArena arena = null;
        for (java.lang.ref.SoftReference<BufferArena> kept; arena == null && (kept = arenas.poll()) != null; ) arena = kept.get();
        if (arena == null) arena = new BufferArena();
        try {
            return graph.call(values, context.withArena(arena), times).stream().map(Value::array).toList();
        } finally {
            arena.finishCall();
            arenas.offer(new java.lang.ref.SoftReference<>(arena));
        }
    }

    public List<NdArray> predict(NdArray... inputs) { return predict(List.of(inputs)); }

    /** Predicts on tensors of any numeric dtype; outputs are float32. */
    public List<Tensor> predictTensors(List<Tensor> inputs) {
        List<NdArray> arrays = inputs.stream()
                .map(t -> NdArray.wrap(t.toFloatArray(), Arrays.stream(t.shape()).mapToInt(Math::toIntExact).toArray()))
                .toList();
        return predict(arrays).stream()
                .map(a -> Tensor.ofFloats(a.data(), Arrays.stream(a.shape()).asLongStream().toArray()))
                .toList();
    }

    /** Predicts on {@code .npy} files, one per model input. */
    public List<Tensor> predictNpy(List<Path> inputFiles) {
        return predictTensors(inputFiles.stream().map(Npy::read).toList());
    }

    /**
     * The simplest call for a single-input, single-output model: {@code input} holds one or more samples, row-major;
     * the batch size follows from the declared input shape.
     */
    public float[] predict(float[] input) {
        if (inputNames.size() != 1 || outputNames.size() != 1) {
            throw new IllegalArgumentException("model '" + name + "' has " + inputNames.size() + " inputs and "
                    + outputNames.size() + " outputs; use predict(List<NdArray>)");
        }
        long[] declared = graph.inputShapes().get(0);
        long sample = 1;
        for (int i = 1; i < declared.length; i++) {
            if (declared[i] < 0) throw new IllegalArgumentException("input '" + inputNames.get(0) + "' has unknown dims "
                    + Arrays.toString(declared) + "; use predict(NdArray) with an explicit shape");
            sample *= declared[i];
        }
        if (input.length % sample != 0) {
            throw new IllegalArgumentException("input of " + input.length + " values is not a whole number of samples of "
                    + sample + " values");
        }
        int[] shape = Arrays.stream(declared).mapToInt(Math::toIntExact).toArray();
        shape[0] = (int) (input.length / sample);
        return predict(NdArray.wrap(input.clone(), shape)).get(0).data();
    }

    private void checkShape(int index, long[] declared, int[] actual) {
        boolean ok = declared.length == actual.length;
        for (int i = 1; ok && i < declared.length; i++) ok = declared[i] < 0 || declared[i] == actual[i];
        if (!ok) {
            throw new UnsupportedModelException("input '" + inputNames.get(index) + "' of model '" + name + "' expects shape "
                    + Arrays.toString(declared).replace("-1", "None") + ", got " + Arrays.toString(actual));
        }
    }

    @Override public String toString() { return "CompiledModel(" + name + ", inputs " + inputNames + ", outputs " + outputNames + ")"; }
}
