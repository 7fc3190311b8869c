package io.keras4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.UnsupportedModelException;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The contract around predictions: thread safety, parallel batches, input checks and compile-time failures. */
class CompiledModelTest {
    private static final Path CASES = LayerCasesTest.CASES;

    @Test
    void oneCompiledModelServesManyThreadsWithTheSameResults() throws Exception {
        KerasCase c = KerasCase.load(CASES.resolve("k3/rnn_masked"), "rnn_masked");
        CompiledModel model = CompiledModel.compile(c.model());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Tensor>>> runs = new ArrayList<>();
            for (int i = 0; i < 32; i++) runs.add(pool.submit(() -> model.predictTensors(c.inputs())));
            for (Future<List<Tensor>> run : runs) Agreement.assertClose("concurrent rnn_masked", run.get(), c.expected());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void anExecutorSplitsBatchWorkWithoutChangingResults() {
        KerasCase c = KerasCase.load(CASES.resolve("k3/conv2d_cl"), "conv2d_cl");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CompiledModel model = CompiledModel.compile(c.model(), RuntimeOptions.builder().executor(pool, 3).build());
            Agreement.assertClose("parallel conv2d_cl", model.predictTensors(c.inputs()), c.expected());
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Every split the runtime makes (conv tiles, matmul rows and column blocks, depthwise rows, recurrent batch rows)
     * taken even on these small cases: the threshold that keeps small work on one thread is lowered to 1.
     */
    @ParameterizedTest
    @ValueSource(strings = {"k3/conv2d_cl", "k3/separable2d", "k3/dense_relu", "k3/rnn_masked", "k2/rnn_initial_state", "k3/mha"})
    void everySplitOfTheSharedPoolKeepsKerasResults(String name) {
        KerasCase c = KerasCase.load(CASES.resolve(name), name);
        CompiledModel model = CompiledModel.compile(c.model(), RuntimeOptions.builder().threads(3).minWorkPerChunk(1).build());
        Agreement.assertClose("split " + name, model.predictTensors(c.inputs()), c.expected());
    }

    /** conv2d_cl: convolutions, padding, a depthwise step that takes in the BatchNormalization after it, pooling. */
    @Test
    void aProfileTimesEveryStepAndNamesTheLayersFusedIntoIt() {
        KerasCase c = KerasCase.load(CASES.resolve("k3/conv2d_cl"), "conv2d_cl");
        CompiledModel model = CompiledModel.compile(c.model());
        List<NdArray> inputs = c.inputs().stream()
                .map(t -> NdArray.wrap(t.toFloatArray(), java.util.Arrays.stream(t.shape()).mapToInt(Math::toIntExact).toArray()))
                .toList();
        LayerProfile profile = model.profile(inputs, 1, 3);

        assertThat(profile.calls()).isEqualTo(3);
        List<String> accounted = new ArrayList<>();
        for (LayerProfile.Step step : profile.steps()) {
            accounted.add(step.layer());
            accounted.addAll(step.fusedLayers());
            assertThat(step.meanNanos()).as(step.layer()).isPositive();
        }
        List<String> layers = c.model().layers().stream().filter(l -> !l.className().equals("InputLayer")).map(Layer::name).toList();
        assertThat(accounted).as("every layer once, in a step of its own or fused into one").containsExactlyInAnyOrderElementsOf(layers);
        assertThat(profile.steps()).as("fusion made fewer steps than layers").hasSizeLessThan(layers.size());
        assertThat(profile.steps()).filteredOn(s -> s.layer().startsWith("depthwise"))
                .singleElement().satisfies(s -> assertThat(s.fusedLayers()).containsExactly("batch_normalization"));
        double stepsTotal = profile.steps().stream().mapToDouble(LayerProfile.Step::meanNanos).sum();
        assertThat(stepsTotal).as("steps run inside the calls").isLessThanOrEqualTo(profile.meanCallNanos());
        assertThat(profile.slowestFirst().get(0).meanNanos())
                .isEqualTo(profile.steps().stream().mapToDouble(LayerProfile.Step::meanNanos).max().orElseThrow());
        assertThatThrownBy(() -> model.profile(inputs, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void predictsFromPlainFloatArraysAndNpyFiles() {
        Path dir = CASES.resolve("k3/dense_relu");
        KerasCase c = KerasCase.load(dir, "dense_relu");
        CompiledModel model = CompiledModel.compile(c.model());
        float[] y = model.predict(c.inputs().get(0).toFloatArray());
        Agreement.assertClose("float[] dense_relu", List.of(Tensor.ofFloats(y, c.expected().get(0).shape())), c.expected());
        Agreement.assertClose("npy dense_relu", model.predictNpy(List.of(dir.resolve("inputs_0.npy"))), c.expected());
    }

    @Test
    void rejectsAnInputOfTheWrongShapeNamingTheInput() {
        CompiledModel model = CompiledModel.compile(KerasCase.load(CASES.resolve("k3/dense_relu"), "dense_relu").model());
        assertThatThrownBy(() -> model.predict(NdArray.zeros(2, 5)))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("expects shape [None, 4]").hasMessageContaining("[2, 5]");
    }

    @Test
    void refusesToCompileAModelWithoutWeightsButStillInfersItsShapes() {
        KerasCase c = KerasCase.load(CASES.resolve("k3/conv2d_cl"), "conv2d_cl");
        Model weighted = c.model();
        Model bare = weighted.withLayers(weighted.layers().stream().map(l -> l.toBuilder().weights(List.of()).build()).toList());
        assertThatThrownBy(() -> CompiledModel.compile(bare))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("has no weights").hasMessageContaining("[3, 3, 4, 6]");
        ModelShapes shapes = ModelShapes.of(bare);
        assertThat(shapes.outputShapes().get(0)).containsExactly(-1, c.expected().get(0).dim(1));
        // Every expected weight shape matches the weights Keras saved.
        for (Layer layer : weighted.layers()) {
            List<long[]> expected = shapes.layerWeightShapes().getOrDefault(layer.name(), List.of());
            assertThat(expected).as(layer.name()).usingElementComparator(java.util.Arrays::compare)
                    .containsExactlyElementsOf(layer.weights().stream().map(w -> w.value().shape()).toList());
        }
    }

    /** tf_keras's to_json of Bidirectional(LSTM) called with initial_state (generator beside the file). */
    @Test
    void refusesABidirectionalLayerGivenInitialStatesInsteadOfDroppingThem() throws Exception {
        Path json = Path.of("src/test/resources/refused/bidi_initial_state.json");
        Model model = io.keras4j.core.KerasJson.readModel(java.nio.file.Files.readString(json), json);
        assertThatThrownBy(() -> ModelShapes.of(model)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("bidi").hasMessageContaining("initial states");
    }

    @Test
    void rejectsWeightsThatDoNotFitTheConfig() {
        Model model = KerasCase.load(CASES.resolve("k3/dense_relu"), "dense_relu").model();
        Layer dense = model.layers().stream().filter(l -> l.className().equals("Dense")).findFirst().orElseThrow();
        Layer swapped = dense.toBuilder().weights(List.of(dense.weights().get(1), dense.weights().get(0))).build();
        Model broken = model.withLayers(model.layers().stream().map(l -> l == dense ? swapped : l).toList());
        assertThatThrownBy(() -> CompiledModel.compile(broken))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("'" + dense.name() + "'").hasMessageContaining("needs [[4, 6], [6]]");
    }
}
