package io.keras4j.spi;

import io.keras4j.UnsupportedModelException;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A Keras model format, registered through {@link java.util.ServiceLoader} ({@code META-INF/services/io.keras4j.spi.Codec}
 * and {@code provides io.keras4j.spi.Codec} in {@code module-info}). A codec says what it is ({@link #info()}), grades
 * an input ({@link #probe}), and reads and writes ({@link #read}, {@link #write}, optionally {@link #loadWeights}).
 *
 * <p>Implementations are cheap, stateless descriptors: constructing one must not load the format's heavy
 * dependencies (HDF5, protobuf); those are touched only inside {@link #read}, {@link #write} and {@link #loadWeights}.
 * Every method must be safe to call from several threads.
 *
 * <p>Failures: bad input is a {@link io.keras4j.Keras4jException} (corrupt, unsupported) naming this codec and the
 * place. Any other runtime exception escaping {@code read}, {@code write} or {@code loadWeights} is taken for a bug in
 * the codec: {@link io.keras4j.Keras4j} reports it as a {@link io.keras4j.CodecFailureException} naming the codec.
 */
public interface Codec {

    /**
     * What this codec is: name, description, features, target suffixes, write properties, rank, version. Called
     * often; return the same instance each time (e.g. a constant built with {@link CodecInfo#builder}).
     */
    CodecInfo info();

    /**
     * Grades how well the input matches by content. Pure and bounded: reads only through {@code input}, never
     * throws for short, empty or unreadable input (that is {@link MatchStrength#NO_MATCH}), never claims a match
     * by extension alone.
     */
    MatchStrength probe(ProbeInput input) throws IOException;

    /** Reads what the input holds. Failures are {@link io.keras4j.Keras4jException}s naming this codec and the place. */
    KerasFile read(Path source, ReadOptions options);

    /** Writes the model; must leave no half-written output behind on failure. */
    void write(Model model, Path target, WriteOptions options);

    /**
     * Loads the weights stored at {@code source} into {@code architecture}, as Keras's {@code load_weights} does,
     * and returns the model with its weights set. Default: refused, for codecs that hold no weights.
     */
    default Model loadWeights(Model architecture, Path source, LoadWeightsOptions options) {
        throw new UnsupportedModelException(info().name() + ": this codec cannot load weights into a given architecture");
    }
}
