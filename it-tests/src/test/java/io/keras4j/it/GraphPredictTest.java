package io.keras4j.it;

import static io.keras4j.it.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.core.KerasJson;
import io.keras4j.it.CliTest.Run;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.tensor.Npy;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #18's entry points: {@code keras4j predict} runs a SavedModel's TensorFlow graph when it holds no Keras
 * structure (a Keras 3 export), or when asked ({@code --use-graph}, {@code --signature}); a tf.keras SavedModel whose
 * custom layer has no Java implementation then predicts like Keras.
 */
class GraphPredictTest {
    @TempDir Path dir;

    @TestFactory
    Stream<DynamicTest> aKeras3ExportPredictsThroughItsGraphLikeKeras() {
        List<Zoo.Entry> exports = Zoo.current().entries().stream()
                .filter(e -> e.gen().equals("k3") && e.file("savedmodel").isPresent() && e.inputs().size() == 1)
                .toList();
        assertThat(exports).as("Keras 3 zoo exports").hasSizeGreaterThanOrEqualTo(5);
        return exports.stream().map(e -> DynamicTest.dynamicTest(e.id(), () -> {
            Run r = run("predict", e.file("savedmodel").orElseThrow().toString(), "--input", e.inputs().get(0).toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err()).contains("holds no Keras model; running its TensorFlow graph");
            assertMatchesKeras(r.out(), e.outputs());
        }));
    }

    @Test
    void aTfKerasSavedModelWithACustomLayerAndNoJavaImplementationPredictsThroughTheGraph() throws Exception {
        Zoo.Entry custom = Zoo.current().entries().stream()
                .filter(e -> e.id().equals("custom-k2")).findFirst().orElseThrow();
        String savedModel = custom.file("savedmodel").orElseThrow().toString();
        String input = custom.inputs().get(0).toString();

        // A JVM without the test's LayerProviders: rebuilding the Keras layers must fail on the custom layer...
        Run layers = runWithoutLayerProviders("predict", savedModel, "--input", input);
        assertThat(layers.code()).as(layers.out() + layers.err()).isNotZero();
        assertThat(layers.err()).contains("has no Java implementation").contains("--use-graph");

        // ...while its graph runs and gives Keras's predictions.
        Run graph = runWithoutLayerProviders("predict", savedModel, "--input", input, "--use-graph");
        assertThat(graph.code()).as(graph.err()).isZero();
        assertMatchesKeras(graph.out(), custom.outputs());
    }

    @Test
    void anUnknownSignatureIsAUsageErrorNamingTheSignaturesThereAre() {
        Zoo.Entry mlp = Zoo.current().entries().stream().filter(e -> e.id().equals("mlp-k3")).findFirst().orElseThrow();
        Run r = run("predict", mlp.file("savedmodel").orElseThrow().toString(), "--input", mlp.inputs().get(0).toString(),
                "--signature", "no_such_signature");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no signature 'no_such_signature'").contains("serving_default");
    }

    @Test
    void useGraphOnAFileThatIsNotASavedModelIsAUsageError() {
        Zoo.Entry mlp = Zoo.current().entries().stream().filter(e -> e.id().equals("mlp-k3")).findFirst().orElseThrow();
        Run r = run("predict", mlp.file("keras").orElseThrow().toString(), "--input", mlp.inputs().get(0).toString(), "--use-graph");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("need a SavedModel directory");
    }

    private static void assertMatchesKeras(String stdout, List<Path> outputs) {
        JsonObject json = KerasJson.parse(stdout, Path.of("stdout")).asObject();
        List<JsonValue> ours = new ArrayList<>(json.members().values());
        assertThat(ours).hasSize(outputs.size());
        for (int i = 0; i < ours.size(); i++) {
            List<Double> flat = new ArrayList<>();
            flatten(ours.get(i), flat);
            float[] keras = Npy.read(outputs.get(i)).toFloatArray();
            assertThat(flat).hasSize(keras.length);
            for (int k = 0; k < keras.length; k++) {
                assertThat(Math.abs(flat.get(k) - keras[k])).as("output %d[%d]", i, k)
                        .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(keras[k])));
            }
        }
    }

    private static void flatten(JsonValue v, List<Double> out) {
        if (v.isArray()) for (JsonValue x : v.asArray()) flatten(x, out);
        else out.add(((JsonNumber) v).doubleValue());
    }

    /** The CLI in a fresh JVM whose class path lacks every test class (so no test LayerProvider is registered). */
    private Run runWithoutLayerProviders(String... args) throws IOException, InterruptedException {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> !p.endsWith("test-classes") && !p.endsWith("-tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "io.keras4j.cli.Main"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the CLI did not finish in 5 minutes: " + cmd);
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
