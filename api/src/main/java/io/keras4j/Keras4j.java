package io.keras4j;

import io.keras4j.model.KerasFile;
import io.keras4j.model.Layer;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.model.OptimizerState;
import io.keras4j.model.Weight;
import io.keras4j.spi.Codec;
import io.keras4j.spi.CodecRegistry;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.DType;
import io.keras4j.tensor.Tensor;
import io.keras4j.tensor.TensorData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Entry points in the spirit of Keras: {@code load} a model, {@code save} it choosing the format from the target's
 * name, and {@code loadWeights} into an architecture. An instance wraps one immutable {@link CodecRegistry};
 * {@link #create()} discovers the codecs on the class path.
 */
public final class Keras4j {
    private final CodecRegistry registry;

    private Keras4j(CodecRegistry registry) { this.registry = Objects.requireNonNull(registry, "registry"); }

    /** Every codec found on the class path (context class loader). */
    public static Keras4j create() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return new Keras4j(CodecRegistry.discover(cl != null ? cl : Keras4j.class.getClassLoader()));
    }

    public static Keras4j with(CodecRegistry registry) { return new Keras4j(registry); }

    public CodecRegistry registry() { return registry; }

    /**
     * The keras4j release this API jar belongs to.
     *
     * @return the {@code Implementation-Version} of the {@code keras4j-api} jar, {@code dev} when run from classes
     */
    public static String version() { return versionOf(Keras4j.class); }

    /**
     * The {@code Implementation-Version} of the jar that holds {@code type}, for diagnostics and {@code --version}.
     *
     * @param type a class loaded from the jar in question
     * @return the version, or {@code dev} when the class was not loaded from a versioned jar (a build's classes)
     */
    public static String versionOf(Class<?> type) {
        String v = null;
        if (type.getModule().isNamed()) {
            // Packages of named modules carry no manifest versioning; the module's own manifest does (META-INF is
            // not encapsulated, and a named module resolves the name inside its own jar only).
            try (InputStream in = type.getModule().getResourceAsStream("META-INF/MANIFEST.MF")) {
                if (in != null) v = new Manifest(in).getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            } catch (IOException e) {
                v = null;
            }
        } else {
            v = type.getPackage().getImplementationVersion();
        }
        return v == null || v.isBlank() ? "dev" : v;
    }

    /** Reads whatever the input holds, sniffing the format. */
    public KerasFile read(Path input) { return read(input, null, ReadOptions.DEFAULT); }

    /** Reads with an explicit format name (null to sniff). */
    public KerasFile read(Path input, String format, ReadOptions options) {
        Codec codec = registry.detect(input, format).codec();
        return guarded(codec, "reading", input, () -> codec.read(input, options));
    }

    /** Loads a model (architecture and whatever weights and training state the file holds). */
    public Model load(Path input) { return load(input, (String) null); }

    public Model load(Path input, String format) {
        KerasFile file = read(input, format, ReadOptions.DEFAULT);
        return file.model().orElseThrow(() -> new UnsupportedModelException(
                input + " holds weights only (" + file.format() + "); load an architecture and call loadWeights"
                        + ("savedmodel".equals(file.format()) ? ", or run the SavedModel's TensorFlow graph: "
                        + "io.keras4j.tfgraph.GraphModel.load (module keras4j-runtime-tf-graph) or keras4j predict" : ""),
                file.format(), input, null, null));
    }

    /**
     * Loads a single-file model (architecture JSON or YAML, {@code .h5}, {@code .keras}) from a stream, e.g. a class
     * path resource inside a fat jar. The bytes are spooled to a temporary file named like {@code nameHint}'s last
     * path segment, sniffed and read as {@link #load(Path)} would, and the weights are copied to the heap: the
     * returned model does not depend on the temporary file, which is deleted before this returns. The stream is read
     * to its end and left open. Formats made of several files (SavedModel directories, TensorFlow checkpoints,
     * sharded weights) cannot come from one stream: load them from a {@link Path}.
     *
     * @param nameHint a file name or path whose last segment names the spooled file, e.g. {@code "model.h5"}
     */
    public Model load(InputStream in, String nameHint) {
        Objects.requireNonNull(in, "in");
        String name = spoolName(nameHint);
        if (name.equals("saved_model.pb") || name.equals("saved_model.pbtxt")) throw notOneFile(nameHint, "SavedModel");
        Path dir = null;
        try {
            dir = Files.createTempDirectory("keras4j-stream-");
            Path file = dir.resolve(name);
            Files.copy(in, file);
            Codec codec = registry.detect(file).codec();
            String format = codec.info().name();
            if (MULTI_FILE.contains(format)) throw notOneFile(nameHint, format);
            return onHeap(load(file, format), dir);
        } catch (IOException e) {
            throw new Keras4jException("cannot spool the stream " + nameHint + " to a temporary file: " + e.getMessage(), e);
        } finally {
            if (dir != null) deleteTree(dir);
        }
    }

    /**
     * Loads a model from a URL: a {@code file:} URL as its {@link Path} (directories included, weights read lazily
     * from the file); any other URL ({@code jar:} from {@link ClassLoader#getResource}, {@code http:}, …) as a stream
     * named by its last path segment, with {@link #load(InputStream, String)}'s rules.
     */
    public Model load(URL url) {
        Objects.requireNonNull(url, "url");
        if (url.getProtocol().equals("file")) {
            try {
                return load(Path.of(url.toURI()));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new Keras4jException("not a file path: " + url, e);
            }
        }
        String path = url.getPath();
        String last = URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
        try (InputStream in = url.openStream()) {
            return load(in, last.isEmpty() ? url.toString() : last);
        } catch (IOException e) {
            throw new Keras4jException("cannot read " + url + ": " + e.getMessage(), e);
        }
    }

    /** Codecs whose input spans several files, which no single stream carries. */
    private static final Set<String> MULTI_FILE = Set.of("savedmodel", "checkpoint", "weights-sharded");

    private static Keras4jException notOneFile(String nameHint, String format) {
        return new Keras4jException("the stream " + nameHint + " is part of a " + format
                + " model, which spans several files or a directory: load it from a Path");
    }

    /** The hint's last path segment, reduced to characters every file system takes. */
    private static String spoolName(String nameHint) {
        String hint = Objects.requireNonNullElse(nameHint, "");
        String last = hint.substring(Math.max(hint.lastIndexOf('/'), hint.lastIndexOf('\\')) + 1);
        String safe = last.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() || safe.chars().allMatch(c -> c == '.') ? "model" : safe;
    }

    /** The model with every weight read from under {@code dir} copied to the heap, so that dir can go. */
    private static Model onHeap(Model model, Path dir) {
        List<Layer> layers = new ArrayList<>();
        for (Layer l : model.layers()) {
            // A nested model's layer lists its inner weights as its own: they are copied with the nested model.
            Layer.Builder b = l.toBuilder().weights(onHeap(l.nestedModel().isPresent() ? List.of() : l.weights(), dir));
            l.nestedModel().ifPresent(n -> b.nestedModel(onHeap(n, dir)));
            layers.add(b.build());
        }
        Model.Builder b = model.toBuilder().layers(layers).modelWeights(onHeap(model.modelWeights(), dir));
        model.optimizer().ifPresent(o -> b.optimizer(new OptimizerState(o.config(), onHeap(o.variables(), dir))));
        return b.build();
    }

    private static List<Weight> onHeap(List<Weight> weights, Path dir) {
        List<Weight> out = new ArrayList<>(weights.size());
        for (Weight w : weights) {
            Tensor t = w.value();
            if (t.dtype() == DType.STRING || !(t.data() instanceof TensorData.FileRegion region) || !region.file().startsWith(dir)) {
                out.add(w);
                continue;
            }
            if (region.size() > Integer.MAX_VALUE) {
                throw new UnsupportedModelException("weight " + w.name() + " holds " + region.size()
                        + " bytes, more than one heap buffer takes: save the stream to a file and load that Path");
            }
            ByteBuffer src = region.buffer();
            ByteBuffer heap = ByteBuffer.allocate(src.remaining()).put(src.duplicate()).flip();
            out.add(w.withValue(Tensor.of(t.dtype(), t.shape(), heap)));
        }
        return out;
    }

    /** Best effort: a failure here must not hide the load's own outcome; what stays goes when the JVM exits. */
    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    p.toFile().deleteOnExit();
                }
            }
        } catch (IOException | UncheckedIOException e) {
            dir.toFile().deleteOnExit();
        }
    }

    /** Loads an architecture from {@code architecture} and the weights from {@code weights}. */
    public Model loadWithWeights(Path architecture, Path weights) {
        return loadWeights(load(architecture), weights, LoadWeightsOptions.DEFAULT);
    }

    /** Keras's {@code model.load_weights(path, by_name=…, skip_mismatch=…)}. */
    public Model loadWeights(Model architecture, Path weights, LoadWeightsOptions options) {
        Codec codec = registry.detect(weights).codec();
        return guarded(codec, "loading weights from", weights, () -> codec.loadWeights(architecture, weights, options));
    }

    /** Saves choosing the format from the target name as Keras does ({@code .keras}, {@code .h5}, {@code .weights.h5}, …). */
    public void save(Model model, Path target) { save(model, target, null, WriteOptions.DEFAULT); }

    public void save(Model model, Path target, String format, WriteOptions options) {
        Codec codec = registry.forTarget(target, format);
        guarded(codec, "writing", target, () -> { codec.write(model, target, options); return null; });
    }

    /**
     * Keras's {@code model.save_weights(path)}, the format chosen by the name as Keras chooses it: {@code .weights.h5}
     * is Keras 3's weights file, {@code .weights.json} its sharded form, {@code .h5}/{@code .hdf5} tf.keras's
     * save_weights HDF5, and any other name a TensorFlow checkpoint prefix (in the layout of the model's own Keras
     * generation: tf.keras's for Keras 1 and 2 models, Keras 3's for Keras 3 ones), as tf.keras's save_weights writes.
     */
    public void saveWeights(Model model, Path target) {
        String name = target.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".weights.h5")) {
            save(model, target, "h5", WriteOptions.DEFAULT.withDialect(Dialect.KERAS3));
        } else if (name.endsWith(".weights.json")) {
            save(model, target, "weights-sharded", WriteOptions.DEFAULT.withDialect(Dialect.KERAS3));
        } else if (name.endsWith(".h5") || name.endsWith(".hdf5")) {
            save(model, target, "h5", WriteOptions.DEFAULT.withDialect(Dialect.KERAS2).withWeightsOnly(true));
        } else {
            Dialect layout = model.dialect() == Dialect.KERAS3 ? Dialect.KERAS3 : Dialect.KERAS2;
            save(model, target, "checkpoint", WriteOptions.DEFAULT.withDialect(layout));
        }
    }

    /**
     * Runs a codec call. Keras4jExceptions (corrupt or unsupported input, refusals) pass through unchanged; any other
     * runtime exception is the codec's own bug and says so, naming the codec, what it was doing and the file.
     * A stack overflow is the input's doing: an HDF5 group tree a few thousand levels deep (valid HDF5, which h5py
     * reads) overflows a recursive reader, so it is corrupt input, as no Keras model nests that deep.
     */
    private static <T> T guarded(Codec codec, String operation, Path file, java.util.function.Supplier<T> call) {
        String name = codec.info().name();
        try {
            return call.get();
        } catch (Keras4jException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodecFailureException(name, operation, file, e);
        } catch (StackOverflowError e) {
            throw new CorruptModelException("nested too deeply to follow: the stack overflowed " + operation
                    + " it (no Keras model nests thousands of levels deep)", name, file, null, -1, e);
        }
    }
}
