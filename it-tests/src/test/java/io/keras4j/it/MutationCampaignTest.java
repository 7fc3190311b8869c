package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.CodecFailureException;
import io.keras4j.Keras4j;
import io.keras4j.Keras4jException;
import io.keras4j.core.KerasJson;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue #14's campaign as a test: seeded truncations and bit flips of real Keras files of every format. A damaged
 * file must be refused with a documented {@link Keras4jException} (corrupt, unsupported), never a codec bug
 * ({@link CodecFailureException}), an escaped runtime exception or an error; and a format that carries checksums
 * (the {@code .keras} zip's CRC-32, a checkpoint's CRC32C) must never load into a model that predicts differently.
 */
class MutationCampaignTest {
    private static final Keras4j KERAS = Keras4j.create();
    /** Damaged copies per file; a longer campaign: -Dkeras4j.campaign.damages=10000. */
    private static final int DAMAGES = Integer.getInteger("keras4j.campaign.damages", 300);
    /** Not a speed goal: a bound that only a hang or a runaway loop over a claimed size would exceed. */
    private static final long HANG_MILLIS = 30_000;

    @TempDir Path dir;

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
            "cnn, k2, h5, false", "cnn, k3, h5, false", "rnn, k2, json, false", "cnn, k3, keras, true",
            "attention, k3, keras, true", "cnn, k3, keras-dir, false", "cnn, k3, weights-h5, false",
            "rnn, k2, weights-h5-k2, false", "mlp, k3, weights-sharded, false", "cnn, k2, checkpoint, true",
            "rnn, k3, checkpoint, true", "cnn, k2, savedmodel, false", "resnet, k2, savedmodel, false"})
    void damagedFilesAreRefusedAsDocumentedAndChecksummedOnesNeverPredictDifferently(String model, String gen,
            String format, boolean checksummed) throws IOException {
        Zoo.Entry e = Zoo.current().entries().stream().filter(x -> x.model().equals(model) && x.gen().equals(gen))
                .findFirst().orElseThrow();
        Path file = e.file(format).orElseThrow(() -> new AssertionError(e.id() + " has no " + format + " file"));
        // A checkpoint prefix and sharded weights are several files in one folder: damage any of them.
        boolean folder = format.equals("checkpoint") || format.equals("weights-sharded");
        Path original = folder ? file.getParent() : file;
        String entry = folder ? file.getFileName().toString() : "";
        Path json = e.file("json").orElse(null);
        List<Tensor> inputs = e.inputs().stream().map(Npy::read).toList();
        Object reference = behaviour(load(original.resolve(entry), format, json), inputs);

        List<Path> files = regularFiles(original);
        Random random = new Random((model + gen + format).hashCode());
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        List<String> defects = new ArrayList<>();
        long slowest = 0;
        for (int i = 0; i < DAMAGES; i++) {
            Path unit = copyUnit(original, dir.resolve("case" + i));
            Path victim = unit.resolve(Files.isDirectory(original) ? original.relativize(files.get(i % files.size())).toString() : "");
            if (!Files.isDirectory(original)) victim = unit;
            byte[] bytes = Files.readAllBytes(victim);
            String damage = damage(bytes, random, i);
            Files.write(victim, i % 3 == 0 ? Arrays.copyOf(bytes, random.nextInt(Math.max(1, bytes.length))) : bytes);
            String where = victim.getFileName() + " " + damage;
            long start = System.nanoTime();
            try {
                Object got = behaviour(load(unit.resolve(entry), format, json), inputs);
                boolean same = got.equals(reference);
                outcomes.merge(same ? "loaded, same predictions" : "loaded, other predictions", 1, Integer::sum);
                if (!same && checksummed) defects.add(where + ": loaded and predicts differently though the format is checksummed");
            } catch (CodecFailureException ex) {
                defects.add(where + ": codec bug: " + ex.getMessage());
            } catch (Keras4jException ex) {
                outcomes.merge("refused: " + ex.getClass().getSimpleName(), 1, Integer::sum);
            } catch (RuntimeException | Error ex) {
                defects.add(where + ": escaped " + ex);
            } finally {
                slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
                deleteTree(unit);
            }
        }
        System.out.printf("mutation campaign %s %s %s: %d damaged copies, %s, slowest %d ms%n", model, gen, format,
                DAMAGES, outcomes, slowest);
        assertThat(defects).as("damaged %s files (%d tries)", format, DAMAGES).isEmpty();
        assertThat(slowest).as("slowest damaged %s file, ms", format).isLessThan(HANG_MILLIS);
    }

    /** Truncation is applied by the caller (every third case); the others flip 1 to 4 bits in place. */
    private static String damage(byte[] bytes, Random random, int i) {
        if (i % 3 == 0) return "truncated";
        StringBuilder where = new StringBuilder("bits flipped at");
        for (int j = random.nextInt(4); j >= 0 && bytes.length > 0; j--) {
            int offset = random.nextInt(bytes.length);
            bytes[offset] ^= (byte) (1 << random.nextInt(8));
            where.append(' ').append(offset);
        }
        return where.toString();
    }

    private static Model load(Path source, String format, Path json) {
        boolean weightsOnly = format.startsWith("weights") || format.equals("checkpoint");
        return weightsOnly ? KERAS.loadWithWeights(json, source) : KERAS.load(source);
    }

    /** What a loaded model computes: its predictions, or for an architecture alone (nothing to run) its config. */
    private static Object behaviour(Model model, List<Tensor> inputs) {
        if (model.layers().stream().allMatch(l -> l.weights().isEmpty())) return KerasJson.write(model, model.dialect());
        return CompiledModel.compile(model).predictTensors(inputs).stream()
                .map(t -> Arrays.toString(t.toFloatArray())).toList();
    }

    private static List<Path> regularFiles(Path unit) throws IOException {
        if (!Files.isDirectory(unit)) return List.of(unit);
        try (Stream<Path> s = Files.walk(unit)) {
            return s.filter(Files::isRegularFile).filter(p -> Files.isReadable(p)).sorted().toList();
        }
    }

    private static Path copyUnit(Path original, Path into) throws IOException {
        Files.createDirectories(into);
        Path target = into.resolve(original.getFileName().toString());
        if (!Files.isDirectory(original)) return Files.copy(original, target);
        try (Stream<Path> s = Files.walk(original)) {
            for (Path p : s.toList()) {
                Path d = target.resolve(original.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(d);
                else Files.copy(p, d);
            }
        }
        return target;
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p.getParent())) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException ignored) {
            // best effort: @TempDir removes what is left
        }
    }
}
