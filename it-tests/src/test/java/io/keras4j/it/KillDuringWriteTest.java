package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.runtime.ModelInitializer;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue #14: a writer killed with SIGKILL mid-write (no finally runs) leaves its temporary file or directory, named
 * {@code .<target>….keras4j-<pid>-…}, beside the target; the destination it was replacing stays intact, and the next
 * write to the same place sweeps the leftover. A real forked JVM writes a big model (about 22 MB of weights) over and
 * over until it is killed.
 */
class KillDuringWriteTest {
    private static final Keras4j KERAS = Keras4j.create();
    private static final long SEED = 42;
    private static final int ATTEMPTS = 5;

    @TempDir Path dir;

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({"model.keras, keras", "model.h5, h5", "saved, savedmodel"})
    void aWriterKilledMidWriteLeavesTheDestinationIntactAndTheNextWriteSweepsItsTempFiles(String name, String format)
            throws Exception {
        Path target = dir.resolve(name);
        Model model = bigModel();
        List<Tensor> inputs = inputs();
        List<float[]> expected = predict(model, inputs);

        List<Path> leftovers = List.of();
        for (int attempt = 0; attempt < ATTEMPTS && leftovers.isEmpty(); attempt++) {
            killMidWrite(target, format);
            leftovers = leftovers();
        }
        assertThat(leftovers).as("no kill in %d attempts landed mid-write, so nothing was tested", ATTEMPTS).isNotEmpty();
        assertThat(predict(KERAS.load(target), inputs)).as("the destination after the kill")
                .usingRecursiveComparison().isEqualTo(expected);

        KERAS.save(model, target, format, WriteOptions.DEFAULT);
        assertThat(leftovers()).as("left after the next write to %s", name).isEmpty();
        assertThat(predict(KERAS.load(target), inputs)).as("the destination after the next write")
                .usingRecursiveComparison().isEqualTo(expected);
    }

    /** Starts a writer, waits for its first whole write and for a temporary entry of the next, then kills it (-9). */
    private void killMidWrite(Path target, String format) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), Writer.class.getName(), target.toString(), format);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            List<String> said = new ArrayList<>();
            while ((line = out.readLine()) != null && !line.equals("written")) said.add(line);
            assertThat(line).as("the writer's first write; it said %s", said).isEqualTo("written");
            // A guard against a writer that stopped writing, not a timing assertion.
            long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (leftovers().isEmpty() && p.isAlive() && System.nanoTime() < giveUp) Thread.onSpinWait();
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().contains(".keras4j-")
                    || p.getFileName().toString().contains("-keras4j-")).toList();
        }
    }

    /** cnn-k2 with a wide head: 54 x 100,000 weights, about 22 MB, so that one write takes a while. */
    static Model bigModel() {
        Zoo.Entry cnn = Zoo.committed().entries().stream().filter(e -> e.id().equals("cnn-k2")).findFirst().orElseThrow();
        Model base = KERAS.load(cnn.file("h5").orElseThrow());
        List<Layer> layers = new ArrayList<>(base.layers().subList(0, base.layers().size() - 1));
        layers.add(Layer.builder("wide_head", "Dense").config(JsonObject.builder().put("name", "wide_head")
                .put("units", 100_000).put("activation", "linear").put("use_bias", true).put("trainable", true).build()).build());
        return ModelInitializer.initializeMissing(base.withLayers(layers), SEED);
    }

    private static List<Tensor> inputs() {
        Zoo.Entry cnn = Zoo.committed().entries().stream().filter(e -> e.id().equals("cnn-k2")).findFirst().orElseThrow();
        return cnn.inputs().stream().map(Npy::read).toList();
    }

    private static List<float[]> predict(Model model, List<Tensor> inputs) {
        return CompiledModel.compile(model).predictTensors(inputs).stream().map(Tensor::toFloatArray).toList();
    }

    /** The forked writer: writes the big model once, says so, then rewrites it until it is killed. */
    public static final class Writer {
        public static void main(String[] args) {
            Path target = Path.of(args[0]);
            Model model = bigModel();
            KERAS.save(model, target, args[1], WriteOptions.DEFAULT);
            System.out.println("written");
            System.out.flush();
            while (true) KERAS.save(model, target, args[1], WriteOptions.DEFAULT);
        }
    }
}
