package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.Keras4j;
import io.keras4j.Keras4jException;
import io.keras4j.UnknownFormatException;
import io.keras4j.UnsupportedModelException;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.tensor.TensorData;
import io.keras4j.testing.KerasWeights;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Keras4j.load(InputStream, nameHint)} and {@code load(URL)}: single-file models from streams, class path
 * resources in a directory and in a jar, judged by Keras's weights and predictions after the spooled copy is gone.
 */
class StreamLoadTest {
    private static final Keras4j KERAS = Keras4j.create();
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

    @TempDir Path dir;
    private List<Path> spoolsBefore;

    @BeforeEach
    void listSpools() throws IOException { spoolsBefore = spools(); }

    /** Whatever happened, no spooled copy outlives the call. */
    @AfterEach
    void noSpoolLeft() throws IOException { assertThat(spools()).as("spool directories left in %s", TMP).isEqualTo(spoolsBefore); }

    private static List<Path> spools() throws IOException {
        try (Stream<Path> s = Files.list(TMP)) {
            return s.filter(p -> p.getFileName().toString().startsWith("keras4j-stream-")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everySingleFileModelLoadsFromAStreamAsKerasWroteIt() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Zoo.Entry e : Zoo.current().entries()) {
            for (String format : List.of("keras", "h5", "json")) {
                e.file(format).ifPresent(p -> tests.add(DynamicTest.dynamicTest(e.id() + " " + format, () -> {
                    Model model;
                    try (InputStream in = Files.newInputStream(p)) {
                        model = KERAS.load(in, p.getFileName().toString());
                    }
                    assertThat(spools()).as("spool directories").isEqualTo(spoolsBefore);
                    ZooReadTest.assertLayersAsKeras(model, e);
                    if (!format.equals("json")) assertLikeKeras(model, e);
                })));
            }
        }
        return tests.stream();
    }

    /** The zoo holds no YAML (Keras dropped to_yaml): keras4j writes one from Keras's JSON, and it streams back. */
    @Test
    void yamlLoadsFromAStream() throws Exception {
        for (Zoo.Entry e : Zoo.current().entries()) {
            Path yaml = dir.resolve(e.id() + ".yaml");
            KERAS.save(KERAS.load(e.file("json").orElseThrow()), yaml);
            try (InputStream in = Files.newInputStream(yaml)) {
                Model model = KERAS.load(in, "model.yaml");
                ZooReadTest.assertLayersAsKeras(model, e);
            }
        }
    }

    @Test
    void classPathResourcesLoadFromADirectoryAndFromAJar() throws Exception {
        Zoo.Entry e = entry("resnet", "k3");
        Path classes = Files.createDirectories(dir.resolve("classes/models"));
        Files.copy(e.file("h5").orElseThrow(), classes.resolve("resnet.h5"));
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("models/resnet.keras"));
            Files.copy(e.file("keras").orElseThrow(), out);
            out.closeEntry();
        }
        try (URLClassLoader loader = new URLClassLoader(
                new URL[] {dir.resolve("classes").toUri().toURL(), jar.toUri().toURL()}, null)) {
            URL inDir = loader.getResource("models/resnet.h5");
            URL inJar = loader.getResource("models/resnet.keras");
            assertThat(inDir.getProtocol()).isEqualTo("file");
            assertThat(inJar.getProtocol()).isEqualTo("jar");
            // A file: URL is loaded as its Path, whose weights stay lazy file regions; every other source is copied.
            assertLikeKeras(KERAS.load(inDir), e, false);
            assertLikeKeras(KERAS.load(inJar), e);
            try (InputStream in = loader.getResourceAsStream("models/resnet.keras")) {
                assertLikeKeras(KERAS.load(in, "models/resnet.keras"), e);
            }
        }
    }

    @Test
    void aFileUrlOfADirectoryLoadsAsItsPath() throws Exception {
        Zoo.Entry e = entry("cnn", "k2");
        Path savedModel = e.file("savedmodel").orElseThrow();
        Model model = KERAS.load(savedModel.toUri().toURL());
        assertThat(KerasWeights.assertSameAsKeras(model, e.weights(), e.id() + " savedmodel url")).isPositive();
    }

    @Test
    void multiFileFormatsAreRefusedAsStreamsNamingWhatToDo() throws Exception {
        Zoo.Entry e = entry("mlp", "k3");
        Path pb = e.file("savedmodel").orElseThrow().resolve("saved_model.pb");
        try (InputStream in = Files.newInputStream(pb)) {
            assertThatThrownBy(() -> KERAS.load(in, "saved_model.pb")).isInstanceOf(Keras4jException.class)
                    .hasMessageContaining("saved_model.pb").hasMessageContaining("SavedModel").hasMessageContaining("load it from a Path");
        }
        Path index = Path.of(e.file("checkpoint").orElseThrow() + ".index");
        try (InputStream in = Files.newInputStream(index)) {
            assertThatThrownBy(() -> KERAS.load(in, "ckpt.index")).isInstanceOf(Keras4jException.class)
                    .hasMessageContaining("ckpt.index").hasMessageContaining("checkpoint").hasMessageContaining("load it from a Path");
        }
    }

    @Test
    void weightsOnlyAndUnknownStreamsFailAsTheirFilesWould() throws Exception {
        Path weights = entry("mlp", "k3").file("weights-h5").orElseThrow();
        try (InputStream in = Files.newInputStream(weights)) {
            assertThatThrownBy(() -> KERAS.load(in, weights.getFileName().toString()))
                    .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("weights only");
        }
        assertThatThrownBy(() -> KERAS.load(new ByteArrayInputStream("not a model".getBytes(StandardCharsets.UTF_8)), "notes.txt"))
                .isInstanceOf(UnknownFormatException.class).hasMessageContaining("notes.txt");
    }

    @Test
    void aHintIsReducedToASafeFileName() throws Exception {
        Zoo.Entry e = entry("mlp", "k2");
        // A path, separators of both kinds and characters no file system likes: only the last segment names the spool.
        try (InputStream in = Files.newInputStream(e.file("h5").orElseThrow())) {
            assertLikeKeras(KERAS.load(in, "..\\..\\a dir/../we?ird:name.h5"), e);
        }
        try (InputStream in = Files.newInputStream(e.file("h5").orElseThrow())) {
            assertLikeKeras(KERAS.load(in, ".."), e);
        }
    }

    private static Zoo.Entry entry(String model, String gen) {
        return Zoo.current().entries().stream().filter(x -> x.model().equals(model) && x.gen().equals(gen)).findFirst().orElseThrow();
    }

    /** Keras's weights bit for bit, all on the heap, and Keras's predictions from the runtime. */
    private static void assertLikeKeras(Model model, Zoo.Entry e) { assertLikeKeras(model, e, true); }

    private static void assertLikeKeras(Model model, Zoo.Entry e, boolean onHeap) {
        assertThat(KerasWeights.assertSameAsKeras(model, e.weights(), e.id())).as("weights compared").isPositive();
        List<Weight> all = new ArrayList<>(model.weights());
        model.optimizer().ifPresent(o -> all.addAll(o.variables()));
        for (Weight w : all) {
            if (onHeap) assertThat(w.value().data()).as("%s: %s", e.id(), w.name()).isNotInstanceOf(TensorData.FileRegion.class);
        }
        List<Tensor> inputs = e.inputs().stream().map(Npy::read).toList();
        List<Tensor> ours = CompiledModel.compile(model).predictTensors(inputs);
        for (int i = 0; i < e.outputs().size(); i++) {
            float[] got = ours.get(i).toFloatArray();
            float[] keras = Npy.read(e.outputs().get(i)).toFloatArray();
            assertThat(got).hasSameSizeAs(keras);
            for (int k = 0; k < got.length; k++) {
                assertThat((double) Math.abs(got[k] - keras[k])).as("%s output %d[%d]", e.id(), i, k)
                        .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(keras[k])));
            }
        }
    }
}
