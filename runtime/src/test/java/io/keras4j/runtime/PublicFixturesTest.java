package io.keras4j.runtime;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.keras4j.Keras4j;
import io.keras4j.format.json.KerasJson;
import io.keras4j.model.Model;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
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
                .map(p -> root.relativize(p).toString().replace('\\', '/'));
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
            Assumptions.assumeTrue(h5.getChildren().containsKey("predictions"), name + " holds no predictions/ group");
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
