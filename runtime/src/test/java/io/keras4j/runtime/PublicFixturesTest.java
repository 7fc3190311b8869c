package io.keras4j.runtime;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.keras4j.Keras4j;
import io.keras4j.core.KerasJson;
import io.keras4j.model.Model;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Models saved by old Keras versions (1.x, 2.x; Theano and TensorFlow) in DL4J's test resources, with the
 * predictions Keras made at the time ({@code *_inputs_and_outputs.h5}, group {@code predictions/}).
 */
class PublicFixturesTest {
    private static final String EXAMPLES = "dl4j-test-resources/src/main/resources/modelimport/keras/examples";

    static Stream<String> cases() {
        Path root = Fixtures.publicFixtures().resolve(EXAMPLES);
        return Fixtures.find(root, p -> p.getFileName().toString().endsWith("_inputs_and_outputs.h5")).stream()
                .filter(p -> Files.exists(modelOf(p)))
                // A few DL4J files record inputs and outputs but no Keras predictions: nothing to compare with.
                .filter(PublicFixturesTest::hasPredictions)
                .map(p -> root.relativize(p).toString().replace('\\', '/'));
    }

    private static boolean hasPredictions(Path io) {
        try (HdfFile h5 = new HdfFile(io)) {
            return h5.getChildren().containsKey("predictions");
        }
    }

    private static Path modelOf(Path io) {
        return io.resolveSibling(io.getFileName().toString().replace("_inputs_and_outputs.h5", "_model.h5"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void predictsLikeTheKerasThatSavedIt(String name) {
        Path io = Fixtures.publicFixtures().resolve(EXAMPLES).resolve(name);
        Model model = Keras4j.create().load(modelOf(io));
        try (HdfFile h5 = new HdfFile(io)) {
            List<Tensor> inputs = new ArrayList<>(), expected = new ArrayList<>();
            for (String input : names(h5, "inputs")) inputs.add(read(h5.getDatasetByPath("inputs/" + input)));
            for (String output : names(h5, "outputs")) expected.add(read(h5.getDatasetByPath("predictions/" + output)));
            Agreement.assertClose(name, CompiledModel.compile(model).predictTensors(inputs), expected);
        }
    }

    /** A Keras 2 CNN with batch normalization; DL4J's predict.py asserts these five predictions. */
    @Test
    void fullConfigCnnWithBatchNormalization() {
        Path dir = Fixtures.publicFixtures().resolve("dl4j-test-resources/src/main/resources/modelimport/keras/fullconfigs/cnn");
        Model model = Keras4j.create().load(dir.resolve("cnn_batch_norm.h5"));
        Agreement.assertClose("fullconfigs/cnn", CompiledModel.compile(model).predictNpy(List.of(dir.resolve("input.npy"))),
                List.of(io.keras4j.tensor.Npy.read(dir.resolve("predictions.npy"))));
    }

    /**
     * frugally-deep's GRU test: tf.keras 2.2.4 GRU(1, reset_after, linear activation, no bias) with the initial
     * state fed as a second model input; inputs and Keras's outputs are base64 float32 arrays in the JSON.
     */
    @Test
    void gruWithInitialStateFromFrugallyDeep() throws java.io.IOException {
        Path dir = Fixtures.publicFixtures().resolve("frugally-deep/test/stateful_test");
        Model model = Keras4j.create().load(dir.resolve("temp_stateless.h5"));
        var test = KerasJson.parse(Files.readString(dir.resolve("temp_stateless.json")), null).asObject()
                .getArray("tests").get(0).asObject();
        List<Tensor> inputs = test.getArray("inputs").values().stream().map(PublicFixturesTest::batchOfOne).toList();
        List<Tensor> expected = test.getArray("outputs").values().stream().map(PublicFixturesTest::batchOfOne).toList();
        Agreement.assertClose("frugally-deep GRU initial state", CompiledModel.compile(model).predictTensors(inputs), expected);
    }

    private static Tensor batchOfOne(io.keras4j.json.JsonValue encoded) {
        long[] sample = encoded.asObject().getArray("shape").toLongs();
        long[] shape = new long[sample.length + 1];
        shape[0] = 1;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        byte[] bytes = java.util.Base64.getDecoder().decode(encoded.asObject().getArray("values").get(0).asText());
        return Tensor.of(io.keras4j.tensor.DType.FLOAT32, shape, java.nio.ByteBuffer.wrap(bytes));
    }

    /** The root attribute names the model's input or output layers as JSON: {@code {"inputs": ["dense_input"]}}. */
    private static List<String> names(HdfFile h5, String attribute) {
        Object value = h5.getAttribute(attribute).getData();
        String json = value instanceof String s ? s : Array.get(value, 0).toString();
        return KerasJson.parse(json, null).asObject().getArray(attribute).values().stream().map(v -> v.asText()).toList();
    }

    private static Tensor read(Dataset d) {
        Object data = d.getDataFlat();
        long[] shape = java.util.Arrays.stream(d.getDimensions()).asLongStream().toArray();
        if (data instanceof double[] doubles) return Tensor.ofDoubles(doubles, shape);
        if (data instanceof float[] floats) return Tensor.ofFloats(floats, shape);
        throw new IllegalStateException(d.getPath() + ": unexpected dataset type " + data.getClass().getSimpleName());
    }
}
