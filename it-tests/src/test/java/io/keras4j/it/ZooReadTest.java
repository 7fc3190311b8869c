package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.json.JsonObject;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.testing.KerasWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Readers, table-driven: every file of every zoo model, sniffed and read by the installed codecs, must give the
 * architecture and the weights real Keras reported. A format issue adds its row to {@link #READERS}.
 */
class ZooReadTest {
    private static final Keras4j KERAS = Keras4j.create();

    /** How to get a model with weights out of a file of each manifest format. */
    private static final Map<String, BiFunction<Zoo.Entry, Path, Model>> READERS = Map.of(
            "keras", (e, p) -> KERAS.load(p),
            "keras-dir", (e, p) -> KERAS.load(p),
            "h5", (e, p) -> KERAS.load(p),
            "weights-h5", ZooReadTest::intoArchitecture,
            "weights-h5-k2", ZooReadTest::intoArchitecture,
            "weights-sharded", ZooReadTest::intoArchitecture,
            "checkpoint", ZooReadTest::intoArchitecture,
            "json", (e, p) -> KERAS.load(p),
            // tf.keras SavedModels carry the architecture; Keras 3 exports do not (checked below).
            "savedmodel", (e, p) -> KERAS.load(p));

    private static Model intoArchitecture(Zoo.Entry e, Path weights) {
        Model architecture = KERAS.load(e.file("json").orElseThrow());
        return KERAS.loadWeights(architecture, weights, LoadWeightsOptions.DEFAULT);
    }

    @TestFactory
    Stream<DynamicTest> everyZooFileReadsWithKerasWeights() {
        Zoo zoo = Zoo.current();
        List<DynamicTest> tests = new ArrayList<>();
        for (Zoo.Entry e : zoo.entries()) {
            for (JsonObject f : e.files()) {
                String format = f.getString("format", "");
                Path path = e.path(f.getString("path", ""));
                tests.add(DynamicTest.dynamicTest(e.id() + " " + format, () -> {
                    KerasFile read = KERAS.read(path);
                    assertThat(read.format()).as("codec chosen by sniffing %s", path).isNotBlank();
                    if (format.equals("savedmodel") && e.gen().equals("k3")) {
                        assertThat(read.hasArchitecture()).as("a Keras 3 export stores no Keras architecture").isFalse();
                        assertThat(read.details().getObject("signatures").has("serving_default")).isTrue();
                        return;
                    }
                    BiFunction<Zoo.Entry, Path, Model> reader = READERS.get(format);
                    assertThat(reader).as("no reader row for manifest format %s: add one to READERS", format).isNotNull();
                    Model model = reader.apply(e, path);
                    assertLayersAsKeras(model, e);
                    if (!format.equals("json")) {
                        int compared = KerasWeights.assertSameAsKeras(model, e.weights(), e.id() + " " + format);
                        assertThat(compared).as("weights compared").isPositive();
                    }
                }));
            }
        }
        return tests.stream();
    }

    /** The layers Keras listed, in its order (keras4j may also list a Sequential's declared InputLayer). */
    static void assertLayersAsKeras(Model model, Zoo.Entry e) {
        List<String> ours = model.layers().stream().filter(l -> !l.className().equals("InputLayer") && !l.isOperation())
                .map(Layer::name).toList();
        List<String> keras = e.layers().stream().filter(l -> !l.getString("class_name", "").equals("InputLayer"))
                .map(l -> l.getString("name", "")).toList();
        assertThat(ours).as("%s layers", e.id()).containsExactlyElementsOf(keras);
    }
}
