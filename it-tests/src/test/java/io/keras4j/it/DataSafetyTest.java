package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CorruptModelException;
import io.keras4j.Keras4j;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #14, data loss: a loaded model never depends on its path again (saving over the source works in every
 * format), writers never destroy what they did not write, a damaged .keras or saved_model.pb is refused. Predictions
 * are judged against real Keras's (the zoo's outputs).
 */
class DataSafetyTest {
    private static final Keras4j KERAS = Keras4j.create();

    @TempDir Path dir;

    private static Zoo.Entry entry(String model, String gen) {
        return Zoo.current().entries().stream().filter(x -> x.model().equals(model) && x.gen().equals(gen)).findFirst().orElseThrow();
    }

    private static Path file(Zoo.Entry e, String format) { return e.file(format).orElseThrow(); }

    // ---- 1. saving over the path a model was loaded from ----

    /** One file, loaded, saved over itself (format from the name), then saved again elsewhere in another format. */
    @ParameterizedTest(name = "{0} saved over itself, then as {2}")
    @CsvSource({"h5, model.h5, again.keras", "keras, model.keras, again.h5"})
    void savingAFileOverItsSourceKeepsTheLoadedModel(String format, String name, String elsewhere) throws IOException {
        Zoo.Entry e = entry("mlp", "k3");
        Path source = copy(file(e, format), dir.resolve(name));
        Model model = KERAS.load(source);
        assertPredictsLikeKeras(model, e, "loaded");
        KERAS.save(model, source);
        assertPredictsLikeKeras(model, e, "after saving over its source");
        assertPredictsLikeKeras(KERAS.load(source), e, "the file saved over the source");
        KERAS.save(model, dir.resolve(elsewhere));
        assertPredictsLikeKeras(KERAS.load(dir.resolve(elsewhere)), e, "saved again elsewhere");
    }

    @Test
    void savingJsonAndWeightsOverTheirSourcesKeepsTheLoadedModel() throws IOException {
        Zoo.Entry e = entry("mlp", "k3");
        Path json = copy(file(e, "json"), dir.resolve("model.json"));
        Path weights = copy(file(e, "weights-h5"), dir.resolve("model.weights.h5"));
        Model model = KERAS.loadWithWeights(json, weights);
        KERAS.save(model, json);
        KERAS.save(model, weights);
        assertPredictsLikeKeras(model, e, "after saving over its sources");
        assertPredictsLikeKeras(KERAS.loadWithWeights(json, weights), e, "the files saved over the sources");
    }

    @Test
    void savingACheckpointOverItsPrefixKeepsTheLoadedModel() throws IOException {
        Zoo.Entry e = entry("mlp", "k3");
        Model model = loadCopiedCheckpoint(e);
        Path json = dir.resolve("model.json");
        Path ckpt = dir.resolve("ckpt/ckpt");
        assertSurvivesBeingSavedOver(model, e, m -> KERAS.save(m, ckpt, "checkpoint", WriteOptions.DEFAULT),
                () -> KERAS.loadWithWeights(json, ckpt));
    }

    @Test
    void savingASavedModelOverItsDirectoryKeepsTheLoadedModel() throws IOException {
        Zoo.Entry e = entry("mlp", "k2");
        Path sm = copyTree(file(e, "savedmodel"), dir.resolve("savedmodel"));
        Model model = KERAS.load(sm);
        assertPredictsLikeKeras(model, e, "loaded");
        assertSurvivesBeingSavedOver(model, e, m -> KERAS.save(m, sm), () -> KERAS.load(sm));
    }

    /** The entry's JSON and checkpoint copied to {@code dir} (model.json, ckpt/ckpt), loaded together. */
    private Model loadCopiedCheckpoint(Zoo.Entry e) throws IOException {
        Path json = copy(file(e, "json"), dir.resolve("model.json"));
        Path ckpt = copyTree(file(e, "checkpoint").getParent(), dir.resolve("ckpt")).resolve("ckpt");
        return KERAS.loadWithWeights(json, ckpt);
    }

    /** The bundle's CRC32C was checked at load only: bytes changed in place afterwards predicted NaN. */
    @Test
    void checkpointBytesChangedAfterLoadingAreRefusedWhenRead() throws IOException {
        Zoo.Entry e = entry("mlp", "k3");
        Model model = loadCopiedCheckpoint(e);
        Path data = dir.resolve("ckpt/ckpt.data-00000-of-00001");
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            byte[] nan = new byte[(int) ch.size()];
            java.util.Arrays.fill(nan, (byte) 0xff);
            ch.write(ByteBuffer.wrap(nan), 0);
        }
        assertThatThrownBy(() -> predict(model, e)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("CRC32C").hasMessageContaining(data.getFileName().toString());
    }

    // ---- 2. writers never destroy what they did not write ----

    @Test
    void convertRefusesToReplaceADirectoryItDidNotWrite() throws IOException {
        Path in = file(entry("mlp", "k3"), "keras");
        Path out = Files.createDirectory(dir.resolve("out"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        CliTest.Run r = CliTest.run("convert", in.toString(), out.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(4);
        assertThat(r.err()).contains("refusing to replace").contains(out.toString()).contains("--force");
        assertThat(Files.readString(out.resolve("notes.txt"))).isEqualTo("mine");
        assertThat(leftovers()).isEmpty();

        CliTest.Run forced = CliTest.run("convert", in.toString(), out.toString(), "--force");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(out.resolve("saved_model.pb")).isRegularFile();
        assertThat(out.resolve("notes.txt")).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void convertRefusesToReplaceAPlainFileByASavedModel() throws IOException {
        Path in = file(entry("mlp", "k3"), "keras");
        Path out = Files.writeString(dir.resolve("out"), "mine");
        CliTest.Run r = CliTest.run("convert", in.toString(), out.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(4);
        assertThat(r.err()).contains("refusing to replace");
        assertThat(Files.readString(out)).isEqualTo("mine");
    }

    @Test
    void convertReplacesItsOwnFormatWithoutForce() throws IOException {
        Path in = file(entry("mlp", "k3"), "keras");
        Path out = dir.resolve("out");
        assertThat(CliTest.run("convert", in.toString(), out.toString()).code()).isZero();
        CliTest.Run again = CliTest.run("convert", in.toString(), out.toString());
        assertThat(again.code()).as(again.err()).isZero();
        assertPredictsLikeKeras(KERAS.load(out), entry("mlp", "k3"), "the replaced SavedModel");
        Path h5 = dir.resolve("model.h5");
        assertThat(CliTest.run("convert", in.toString(), h5.toString()).code()).isZero();
        assertThat(CliTest.run("convert", in.toString(), h5.toString()).code()).isZero();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aFileOfAnotherFormatIsReplacedOnlyWithForce() throws IOException {
        Path in = file(entry("mlp", "k3"), "keras");
        for (String name : List.of("notes.h5", "notes.keras", "notes.json", "notes.weights.h5", "notes.weights.json")) {
            Path out = Files.write(dir.resolve(name), new byte[] {0, 1, 2, 3, 'n', 'o', 't', 'e', 's'});
            CliTest.Run r = CliTest.run("convert", in.toString(), out.toString());
            assertThat(r.code()).as(name + ": " + r.err()).isEqualTo(4);
            assertThat(Files.readAllBytes(out)).as(name).containsExactly(0, 1, 2, 3, 'n', 'o', 't', 'e', 's');
            CliTest.Run forced = CliTest.run("convert", in.toString(), out.toString(), "--force");
            assertThat(forced.code()).as(name + ": " + forced.err()).isZero();
        }
    }

    @Test
    void aSpecialFileIsNeverReplacedNotEvenWithForce() throws Exception {
        Path in = file(entry("mlp", "k3"), "keras");
        for (String name : List.of("pipe", "pipe.h5")) {
            Path fifo = dir.resolve(name);
            Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
            assertThat(p.waitFor()).as("mkfifo").isZero();
            for (List<String> extra : List.of(List.<String>of(), List.of("--force"))) {
                List<String> args = new java.util.ArrayList<>(List.of("convert", in.toString(), fifo.toString()));
                args.addAll(extra);
                CliTest.Run r = CliTest.run(args.toArray(String[]::new));
                assertThat(r.code()).as(name + " " + extra + ": " + r.out() + r.err()).isEqualTo(4);
                assertThat(r.err()).contains("special file");
            }
            assertThat(Files.isRegularFile(fifo) || Files.isDirectory(fifo)).as(name + " still a pipe").isFalse();
            assertThat(fifo).exists();
        }
        assertThat(leftovers()).isEmpty();
    }

    /** Temporary entries are named after their target (".out.tmp-…", ".model.h5….tmp"); none may stay. */
    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }

    // ---- 3. zip member CRC-32 ----

    @ParameterizedTest(name = "a flipped bit in {0}")
    @ValueSource(strings = {"model.weights.h5", "config.json"})
    void aFlippedBitInAKerasMemberIsRefusedNamingIt(String member) throws IOException {
        Path keras = copy(file(entry("mlp", "k3"), "keras"), dir.resolve("model.keras"));
        flipInMember(keras, member);
        assertThatThrownBy(() -> KERAS.load(keras)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("CRC-32").hasMessageContaining(member).hasMessageContaining(keras.toString());
    }

    /** Flips the lowest bit of the byte in the middle of a stored member's data (found through its local header). */
    private static void flipInMember(Path archive, String member) throws IOException {
        long size;
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            size = zip.getEntry(member).getSize();
        }
        byte[] bytes = Files.readAllBytes(archive);
        byte[] name = member.getBytes(StandardCharsets.UTF_8);
        int at = indexOf(bytes, name);
        assertThat(at).as("local header of " + member).isGreaterThanOrEqualTo(30);
        int extra = (bytes[at - 2] & 0xff) | (bytes[at - 1] & 0xff) << 8;
        int data = at + name.length + extra;
        bytes[data + (int) (size / 2)] ^= 1;
        Files.write(archive, bytes);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    // ---- 6. SavedModel length prefixes ----

    @Test
    void aSavedModelPbCutTo6BytesIsRefusedWithItsOffset() throws IOException {
        Path sm = copyTree(file(entry("mlp", "k2"), "savedmodel"), dir.resolve("savedmodel"));
        Path pb = sm.resolve("saved_model.pb");
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(pb), 6);
        Files.write(pb, head);
        assertThatThrownBy(() -> KERAS.load(sm)).isInstanceOfSatisfying(CorruptModelException.class, ex -> {
            assertThat(ex.getMessage()).contains("saved_model.pb").contains("truncated");
            assertThat(ex.offset()).isBetween(0L, 6L);
        });
    }

    @Test
    void aSavedModelPbClaimingA2GbMetaGraphIsRefusedWithItsOffset() throws IOException {
        Path sm = copyTree(file(entry("mlp", "k2"), "savedmodel"), dir.resolve("savedmodel"));
        Path pb = sm.resolve("saved_model.pb");
        // saved_model_schema_version = 1, then meta_graphs (field 2) declared as 0x7ffffff0 bytes, then 16 bytes
        byte[] bytes = {0x08, 0x01, 0x12, (byte) 0xf0, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07,
                0x0a, 0x02, 'h', 'i', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        Files.write(pb, bytes);
        assertThatThrownBy(() -> KERAS.load(sm)).isInstanceOfSatisfying(CorruptModelException.class, ex -> {
            assertThat(ex.getMessage()).contains("saved_model.pb").contains("2147483632 bytes");
            assertThat(ex.offset()).isEqualTo(3);
        });
    }

    // ---- helpers ----

    private static List<Tensor> predict(Model model, Zoo.Entry e) {
        return CompiledModel.compile(model).predictTensors(e.inputs().stream().map(Npy::read).toList());
    }

    private static void assertPredictsLikeKeras(Model model, Zoo.Entry e, String what) {
        List<Tensor> ours = predict(model, e);
        for (int i = 0; i < e.outputs().size(); i++) {
            float[] got = ours.get(i).toFloatArray();
            float[] keras = Npy.read(e.outputs().get(i)).toFloatArray();
            assertThat(got).as("%s %s output %d", e.id(), what, i).hasSameSizeAs(keras);
            for (int k = 0; k < got.length; k++) {
                assertThat((double) Math.abs(got[k] - keras[k])).as("%s %s output %d[%d]", e.id(), what, i, k)
                        .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(keras[k])));
            }
        }
    }

    /**
     * Another model saved at the loaded model's place first, so that every offset there moves (the same model would
     * write the same bytes), then the loaded model itself: it must predict as Keras did throughout, and so must what
     * is read back from the place.
     */
    private static void assertSurvivesBeingSavedOver(Model model, Zoo.Entry e, java.util.function.Consumer<Model> saveAtPlace,
                                                     java.util.function.Supplier<Model> readBack) {
        saveAtPlace.accept(KERAS.load(file(entry("cnn", "k3"), "keras")));
        assertPredictsLikeKeras(model, e, "after another model was saved at its place");
        saveAtPlace.accept(model);
        assertPredictsLikeKeras(model, e, "after saving over its place");
        assertPredictsLikeKeras(readBack.get(), e, "the model read back from its place");
    }

    private static Path copy(Path from, Path to) throws IOException {
        return Files.copy(from, to);
    }

    private static Path copyTree(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }
}
