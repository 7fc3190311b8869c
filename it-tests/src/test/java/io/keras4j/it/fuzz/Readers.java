package io.keras4j.it.fuzz;

import io.keras4j.CodecFailureException;
import io.keras4j.Keras4j;
import io.keras4j.Keras4jException;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The readers fuzzed (issue #14) and the contract every input must keep, shared by the committed regression corpus
 * ({@code ReaderCorpusTest}, every build) and the Jazzer fuzz tests ({@code -Pfuzz}): the bytes, put in place of one
 * file of a small committed fixture, load into a model (which then compiles and predicts) or are refused with a
 * documented {@link Keras4jException}; a codec bug ({@link CodecFailureException}), any other exception and any
 * error (OutOfMemoryError, StackOverflowError) break it.
 */
public enum Readers {
    JSON("mlp/k2/model.json", "model.json", null),
    YAML("mlp/k2/model.json", "model.yaml", null),
    HDF5("mlp/k2/model.h5", "model.h5", null),
    KERAS("mlp/k3/model.keras", "model.keras", null),
    CHECKPOINT_INDEX("mlp/k2/ckpt", "ckpt.index", "ckpt"),
    CHECKPOINT_DATA("mlp/k2/ckpt", "ckpt.data-00000-of-00001", "ckpt"),
    SAVEDMODEL("mlp/k2/savedmodel", "saved_model.pb", ""),
    NPY("mlp/k2/inputs_0.npy", "inputs_0.npy", null);

    private static final Keras4j LOADER = Keras4j.create();
    private static final Path ZOO = Fixtures.root().resolve("fixtures/zoo");

    /**
     * The committed fixture the bytes replace a file of, and whose inputs a loaded model predicts. The corpus's seeds
     * are these files (YAML: keras4j's YAML of mlp/k2/model.json; no Keras writer of YAML is at hand).
     */
    private final String fixture;
    /** The file of the fixture the input replaces. */
    final String file;
    /** For a folder fixture, what is loaded inside it ("" the folder itself); null for a single file. */
    private final String load;

    Readers(String fixture, String file, String load) {
        this.fixture = fixture;
        this.file = file;
        this.load = load;
    }

    /** The directory name of this reader's corpus under {@code src/test/resources/fuzz/}, and its fuzz test's name. */
    public String corpusName() { return name().toLowerCase(java.util.Locale.ROOT); }

    /**
     * Runs {@code input} through this reader in {@code work} (a directory of the caller's, emptied first).
     *
     * @throws AssertionError when the contract is broken, with the cause attached
     */
    public void check(byte[] input, Path work) {
        try {
            deleteTree(work);
            Files.createDirectories(work);
            prepare(work);
        } catch (IOException e) {
            throw new UncheckedIOException("preparing the fixture in " + work, e);
        }
        checkPrepared(input, work);
    }

    /** Copies the fixture's other files into {@code work} (an empty directory) for {@link #checkPrepared}. */
    void prepare(Path work) throws IOException {
        if (load != null) copyTree(ZOO.resolve(fixture), work);
    }

    /**
     * {@link #check} in a directory {@link #prepare} filled: only the one file is rewritten, which keeps a fuzzer's
     * executions cheap (reading never changes the fixture's other files).
     */
    void checkPrepared(byte[] input, Path work) {
        try {
            Path target = work.resolve(file);
            Files.write(target, input);
            Path source = load == null ? target : load.isEmpty() ? work : work.resolve(load);
            run(source);
        } catch (IOException e) {
            throw new UncheckedIOException("preparing the input in " + work, e);
        } catch (CodecFailureException e) {
            throw new AssertionError(this + ": codec bug: " + e.getMessage(), e);
        } catch (Keras4jException e) {
            // documented refusal: the contract holds
        } catch (RuntimeException | Error e) {
            throw new AssertionError(this + ": escaped " + e, e);
        }
    }

    private void run(Path source) {
        if (this == NPY) {
            Tensor t = Npy.read(source);
            if (t.dtype() == io.keras4j.tensor.DType.STRING) t.strings();
            else t.toFloatArray();
            return;
        }
        Model model = switch (this) {
            case CHECKPOINT_INDEX, CHECKPOINT_DATA -> LOADER.loadWithWeights(ZOO.resolve("mlp/k2/model.json"), source);
            default -> LOADER.load(source);
        };
        if (model.layers().stream().allMatch(l -> l.weights().isEmpty())) {
            CompiledModel.compile(model);
            return;
        }
        List<Tensor> inputs = List.of(Npy.read(ZOO.resolve(fixture.substring(0, fixture.indexOf('/', 4))).resolve("inputs_0.npy")));
        CompiledModel.compile(model).predictTensors(inputs).forEach(Tensor::toFloatArray);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(d);
                else Files.copy(p, d, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }

    /**
     * For the Jazzer harness: a checker with its own work directory, prepared once, in memory ({@code /dev/shm}) where
     * the machine has it, since a fuzzer runs millions of inputs.
     */
    public Consumer<byte[]> checker() {
        Path work;
        try {
            Path shm = Path.of("/dev/shm");
            work = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "keras4j-fuzz-" + corpusName())
                    : Files.createTempDirectory("keras4j-fuzz-" + corpusName());
            prepare(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                deleteTree(work);
            } catch (IOException ignored) {
                // a temporary directory: best effort
            }
        }));
        return bytes -> checkPrepared(bytes, work);
    }
}
