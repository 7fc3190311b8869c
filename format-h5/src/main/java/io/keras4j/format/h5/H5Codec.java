package io.keras4j.format.h5;

import io.keras4j.format.h5.hdf5.H5Signature;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import io.keras4j.spi.Codec;
import io.keras4j.spi.CodecInfo;
import io.keras4j.spi.Feature;
import io.keras4j.spi.InputKind;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * Keras HDF5: legacy full-model {@code .h5} of Keras 1, 2, tf.keras and Keras 3, Keras 2 {@code save_weights}
 * {@code .h5} and Keras 3 {@code .weights.h5}. Writes a full model for {@code .h5}/{@code .hdf5} (Keras 3 dialect by
 * default, tf.keras with {@link io.keras4j.model.Dialect#KERAS2}), Keras 2 {@code save_weights} with
 * {@code weightsOnly}, and the Keras 3 object-path layout for {@code .weights.h5}.
 */
public final class H5Codec implements Codec {
    private static final CodecInfo INFO = CodecInfo.builder(KerasH5.CODEC, H5Codec.class)
            .description("Keras HDF5 (.h5 full model or weights, Keras 3 .weights.h5)")
            .reads(EnumSet.allOf(Feature.class))
            .writes(EnumSet.allOf(Feature.class))
            .inputKinds(InputKind.FILE)
            .targetSuffixes(".weights.h5", ".h5", ".hdf5")
            .build();

    @Override public CodecInfo info() { return INFO; }

    @Override
    public MatchStrength probe(ProbeInput input) {
        if (!input.isFile() || H5Signature.find(input) < 0) return MatchStrength.NO_MATCH;
        return H5Signature.root(input).map(H5Codec::grade).orElse(MatchStrength.WEAK);
    }

    /** FULL for Keras's own root markers, SOLID for a likely Keras 3 weights file, WEAK for other HDF5. */
    static MatchStrength grade(H5Signature.Root root) {
        Set<String> attrs = root.attributes();
        Set<String> links = root.links();
        if (attrs.contains("model_config") && links.contains("model_weights")) return MatchStrength.FULL;
        if (attrs.contains("layer_names") || attrs.contains("layer_names0")) return MatchStrength.FULL;
        boolean layers = links.contains("layers") || links.contains(ObjectPathLayout.LEGACY_LAYERS);
        if (layers && links.contains("vars")) return MatchStrength.FULL;
        if (layers || attrs.contains("model_config") || links.contains("model_weights")) return MatchStrength.SOLID;
        return MatchStrength.WEAK;
    }

    @Override
    public KerasFile read(Path source, ReadOptions options) { return KerasH5.read(source, KerasH5.CODEC); }

    @Override
    public void write(Model model, Path target, WriteOptions options) { KerasH5.write(model, target, options); }

    @Override
    public Model loadWeights(Model architecture, Path source, LoadWeightsOptions options) {
        return KerasH5.loadWeights(architecture, source, options, KerasH5.CODEC);
    }
}
