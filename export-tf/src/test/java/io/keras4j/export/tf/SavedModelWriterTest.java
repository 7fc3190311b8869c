package io.keras4j.export.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.UnsupportedModelException;
import io.keras4j.format.h5.H5Codec;
import io.keras4j.format.keras.KerasArchiveCodec;
import io.keras4j.format.savedmodel.SavedModelCodec;
import io.keras4j.model.Dialect;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import io.keras4j.testing.PinnedOutcomes;
import io.keras4j.core.KerasJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes zoo models (Keras 3 {@code model.keras}, tf_keras SavedModels) as serving SavedModels and converts the
 * tf_keras SavedModels to {@code .keras} and {@code .h5}; real TensorFlow and Keras then judge every output through
 * {@code oracle/reverse_check.py} ({@link KerasOracle}): {@code tf.saved_model.load} serves each written SavedModel
 * (and TF1 session loading restores it through its saver), {@code tf_keras.load_model} restores it as a Keras model,
 * {@code keras3.load_model} loads each converted {@code .keras} and {@code tf_keras.load_model} each {@code .h5}, all
 * compared with Keras's outputs. With {@code -Dkeras4j.savedmodel.export=DIR} the outputs and their {@code cases.json}
 * stay in DIR.
 */
class SavedModelWriterTest {
    private final SavedModelCodec codec = new SavedModelCodec();
    private final KerasArchiveCodec keras = new KerasArchiveCodec();

    /** What {@link #writeAll} wrote: reverse-check cases, refusals by id, SavedModels written, k2 SavedModels converted. */
    private record Written(JsonArray cases, Map<String, String> refused, int savedModels, int converted) {}

    @Test
    void zooModelsBecomeServingSavedModels(@TempDir Path temp) throws IOException {
        Written w = writeAll(temp);
        System.err.println("savedmodel writer: " + w.savedModels() + " SavedModels written, " + w.converted()
                + " k2 SavedModels converted to .keras and .h5");
        if (Files.isRegularFile(Fixtures.zoo().resolve("mlp/k3/model.keras"))) assertThat(w.savedModels()).isGreaterThanOrEqualTo(10);
        PinnedOutcomes.assertMatches("savedmodel-writer-refusals", "SavedModel writer refusals", w.refused());
    }

    @Test
    void realTensorFlowAndKerasLoadEverythingWritten(@TempDir Path temp) throws Exception {
        KerasOracle.requirePython();
        String export = System.getProperty("keras4j.savedmodel.export");
        Path out = export == null ? temp : Path.of(export).toAbsolutePath();
        Written w = writeAll(out);
        Path report = KerasOracle.reverseCheck(out.resolve("cases.json"), out.resolve("report.json"));
        JsonArray results = KerasJson.parse(Files.readString(report), report).asObject().getArray("results");
        assertThat(KerasOracle.failedCases(results, w.cases().size())).as("written files real TensorFlow/Keras did not load or predict alike, see the log above").isEmpty();
    }

    private Written writeAll(Path out) throws IOException {
        Files.createDirectories(out);
        JsonArray.Builder cases = JsonArray.builder();
        Map<String, String> unsupported = new TreeMap<>();
        int written = 0;
        int converted = 0;
        for (Path dir : zooModelDirs()) {
            String id = dir.getParent().getFileName() + "-" + dir.getFileName();
            boolean k2 = dir.getFileName().toString().equals("k2");
            Model model = k2 ? codec.read(dir.resolve("savedmodel"), ReadOptions.DEFAULT).model().orElseThrow()
                    : keras.read(dir.resolve("model.keras"), ReadOptions.DEFAULT).model().orElseThrow();
            boolean custom = dir.getParent().getFileName().toString().equals("custom");
            if (k2) {
                Path converted_ = out.resolve(id + "-converted.keras");
                keras.write(model, converted_, WriteOptions.DEFAULT);
                cases.add(testCase(id + "-to-keras", "keras3.load_model", converted_, dir, custom, model).build());
                Path h5 = out.resolve(id + "-converted.h5");
                new H5Codec().write(model, h5, WriteOptions.DEFAULT.withDialect(Dialect.KERAS2));
                cases.add(testCase(id + "-to-h5", "tf_keras.load_model", h5, dir, custom, model).build());
                converted++;
            }
            Path target = out.resolve(id + "-savedmodel");
            try {
                codec.write(model, target, WriteOptions.DEFAULT);
            } catch (UnsupportedModelException e) {
                unsupported.put(id, PinnedOutcomes.reason(e.getMessage(), out));
                assertThat(target).doesNotExist();
                continue;
            }
            assertWeightsReadBack(target, model, id);
            JsonObject.Builder c = testCase(id + "-savedmodel", "tf.saved_model.load", target, dir, custom, model);
            c.put("input_keys", JsonArray.of(model.inputs().isEmpty() ? new io.keras4j.json.JsonValue[] {
                    io.keras4j.json.JsonValue.of(codec.read(target, ReadOptions.DEFAULT.withWeights(false)).details()
                            .getObject("signatures").getObject("serving_default").getObject("inputs").keys().iterator().next())}
                    : model.inputs().stream().map(r -> io.keras4j.json.JsonValue.of(r.layer())).toArray(io.keras4j.json.JsonValue[]::new)));
            List<String> outputKeys = new ArrayList<>(codec.read(target, ReadOptions.DEFAULT.withWeights(false)).details()
                    .getObject("signatures").getObject("serving_default").getObject("outputs").keys());
            if (model.outputs().size() > 1) {
                outputKeys = model.outputs().stream().map(r -> r.layer()).toList();
            }
            c.put("output_keys", JsonArray.of(outputKeys.stream().map(io.keras4j.json.JsonValue::of).toArray(io.keras4j.json.JsonValue[]::new)));
            cases.add(c.build());
            cases.add(c.put("id", id + "-savedmodel-tf1").put("loader", "tf1.saved_model.loader").build());
            c.put("id", id + "-savedmodel").put("loader", "tf.saved_model.load");
            // Keras 3 operation nodes (keras.ops calls) mostly have no tf.keras form; such models are written for serving only.
            if (Files.isRegularFile(target.resolve("keras_metadata.pb"))) {
                cases.add(testCase(id + "-savedmodel-as-keras", "tf_keras.load_model", target, dir, custom, model).build());
            } else {
                assertThat(model.layers()).as(id + ": the tf.keras structure is written").anyMatch(Layer::isOperation);
            }
            if (dir.getParent().getFileName().toString().equals("multi_io")) {
                // Serving only, as Keras 3's model.export() writes: TensorFlow serves it, no Keras structure is kept.
                Path servingOnly = out.resolve(id + "-serving-only");
                codec.write(model, servingOnly, WriteOptions.DEFAULT.withProperty("savedmodel.kerasObjects", "false"));
                assertThat(servingOnly.resolve("keras_metadata.pb")).doesNotExist();
                KerasFile back = codec.read(servingOnly, ReadOptions.DEFAULT);
                assertThat(back.model()).as("no Keras architecture stored").isEmpty();
                assertThat(back.details().getString("keras_metadata", "")).startsWith("none");
                assertWeightsReadBack(servingOnly, model, id);
                cases.add(c.put("id", id + "-serving-only").put("path", servingOnly.toString()).build());
            }
            written++;
        }
        JsonArray all = cases.build();
        Files.writeString(out.resolve("cases.json"), all.toString());
        return new Written(all, unsupported, written, converted);
    }

    /**
     * A custom layer with no translation (this module has no GraphLayerProvider for the zoo's Scale) is refused with the
     * way out, naming it as registered whichever generation wrote the file, and nothing is left behind.
     */
    @Test
    void unsupportedLayersLeaveNothingBehind(@TempDir Path temp) throws IOException {
        for (String file : List.of("custom/k3/model.keras", "custom/k2/model.h5")) {
            io.keras4j.spi.Codec reader = file.endsWith(".h5") ? new H5Codec() : keras;
            Model model = reader.read(Fixtures.zoo().resolve(file), ReadOptions.DEFAULT).model().orElseThrow();
            Path out = temp.resolve(file.replace('/', '-'));
            assertThatThrownBy(() -> codec.write(model, out, WriteOptions.DEFAULT)).as(file)
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("layer 'scale' (Scale, registered as 'keras4j_zoo>Scale')")
                    .hasMessageContaining("io.keras4j.export.tf.spi.GraphLayerProvider")
                    .hasMessageContaining("io.keras4j.runtime.spi.LayerProvider");
        }
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left).as("nothing half-written").isEmpty();
        }
    }

    private void assertWeightsReadBack(Path target, Model model, String id) {
        KerasFile back = codec.read(target, ReadOptions.DEFAULT);
        List<Weight> stored = new ArrayList<>();
        back.storedWeights().forEach(g -> stored.addAll(g.weights()));
        back.model().ifPresent(m -> stored.addAll(m.weights()));
        List<Weight> expected = model.weights();
        assertThat(stored).as(id).hasSameSizeAs(expected);
        for (Weight w : expected) {
            assertThat(stored).as(id + " " + w.name()).anyMatch(s -> s.value().contentEquals(w.value()));
        }
    }

    private static JsonObject.Builder testCase(String id, String loader, Path path, Path dir, boolean custom, Model model) throws IOException {
        return JsonObject.builder().put("id", id).put("loader", loader).put("path", path.toString())
                .put("inputs", files(dir, "inputs_")).put("outputs", files(dir, "outputs_")).put("custom", custom);
    }

    private static List<Path> zooModelDirs() throws IOException {
        try (Stream<Path> s = Files.list(Fixtures.zoo())) {
            return s.filter(Files::isDirectory).flatMap(m -> Stream.of(m.resolve("k2"), m.resolve("k3")))
                    .filter(d -> Files.isRegularFile(d.resolve("savedmodel/saved_model.pb"))).sorted().toList();
        }
    }

    private static JsonArray files(Path dir, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return JsonArray.of(s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted()
                    .map(p -> io.keras4j.json.JsonValue.of(p.toString())).toArray(io.keras4j.json.JsonValue[]::new));
        }
    }
}
