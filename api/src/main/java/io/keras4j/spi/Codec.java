package io.keras4j.spi;

import io.keras4j.Keras4j;
import io.keras4j.UnsupportedModelException;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A Keras model format, registered through {@link java.util.ServiceLoader} ({@code META-INF/services/io.keras4j.spi.Codec}
 * and {@code provides io.keras4j.spi.Codec} in {@code module-info}).
 *
 * <p>Implementations are cheap, stateless descriptors: constructing one must not load the format's heavy
 * dependencies (HDF5, protobuf); those are touched only inside {@link #read}, {@link #write} and {@link #loadWeights}.
 * Every method must be safe to call from several threads.
 */
public interface Codec {

    /** Stable lowercase name used to choose the codec explicitly, e.g. {@code h5}, {@code keras}. */
    String name();

    /** One line for humans. */
    String description();

    Set<Feature> reads();

    Set<Feature> writes();

    Set<InputKind> inputKinds();

    /**
     * File-name endings this codec writes when a save target ends with them, e.g. {@code .weights.h5}. The registry
     * picks the codec with the longest matching ending, so {@code .weights.h5} beats {@code .h5}.
     */
    List<String> targetSuffixes();

    /**
     * The write properties this codec reads from {@link WriteOptions#property}; a key not listed here is unknown to it
     * (the command line refuses it). Default: none, so codecs written before this method keep compiling.
     */
    default List<WriteProperty> writeProperties() { return List.of(); }

    /** Breaks ties between equally strong probes; higher wins. Then the name decides. */
    default int rank() { return 0; }

    /** The implementation version (its jar's {@code Implementation-Version}), for diagnostics. */
    default String version() {
        return Keras4j.versionOf(getClass());
    }

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
     * and returns the model with its weights set.
     */
    default Model loadWeights(Model architecture, Path source, LoadWeightsOptions options) {
        throw new UnsupportedModelException(name() + ": this codec cannot load weights into a given architecture");
    }
}
