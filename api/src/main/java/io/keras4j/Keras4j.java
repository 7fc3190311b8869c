package io.keras4j;

import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import io.keras4j.spi.Codec;
import io.keras4j.spi.CodecRegistry;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

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
        return guarded(codec, input, () -> codec.read(input, options));
    }

    /** Loads a model (architecture and whatever weights and training state the file holds). */
    public Model load(Path input) { return load(input, (String) null); }

    public Model load(Path input, String format) {
        KerasFile file = read(input, format, ReadOptions.DEFAULT);
        return file.model().orElseThrow(() -> new UnsupportedModelException(
                input + " holds weights only (" + file.format() + "); load an architecture and call loadWeights",
                file.format(), input, null, null));
    }

    /** Loads an architecture from {@code architecture} and the weights from {@code weights}. */
    public Model loadWithWeights(Path architecture, Path weights) {
        return loadWeights(load(architecture), weights, LoadWeightsOptions.DEFAULT);
    }

    /** Keras's {@code model.load_weights(path, by_name=…, skip_mismatch=…)}. */
    public Model loadWeights(Model architecture, Path weights, LoadWeightsOptions options) {
        Codec codec = registry.detect(weights).codec();
        return guarded(codec, weights, () -> codec.loadWeights(architecture, weights, options));
    }

    /** Saves choosing the format from the target name as Keras does ({@code .keras}, {@code .h5}, {@code .weights.h5}, …). */
    public void save(Model model, Path target) { save(model, target, null, WriteOptions.DEFAULT); }

    public void save(Model model, Path target, String format, WriteOptions options) {
        Codec codec = registry.forTarget(target, format);
        guarded(codec, target, () -> { codec.write(model, target, options); return null; });
    }

    /** Runs a codec call, wrapping an unexpected runtime failure with the codec's name and the file. */
    private static <T> T guarded(Codec codec, Path file, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (Keras4jException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new CorruptModelException("unexpected failure: " + e, codec.name(), file, null, -1, e);
        }
    }
}
