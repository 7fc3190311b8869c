package io.keras4j.format.keras;

import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import io.keras4j.spi.Codec;
import io.keras4j.spi.CodecInfo;
import io.keras4j.spi.Feature;
import io.keras4j.spi.InputKind;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.spi.WriteProperty;
import java.nio.file.Path;
import java.util.EnumSet;

/** The Keras 3 {@code .keras} archive, zipped or as a directory ({@code keras.zipped=false} writes the latter). */
public final class KerasArchiveCodec implements Codec {
    private static final byte[] ZIP = {'P', 'K', 3, 4};

    private static final CodecInfo INFO = CodecInfo.builder(KerasArchive.CODEC, KerasArchiveCodec.class)
            .description("Keras 3 archive (.keras zip or directory)")
            .reads(EnumSet.allOf(Feature.class))
            .writes(EnumSet.allOf(Feature.class))
            .inputKinds(InputKind.FILE, InputKind.DIRECTORY)
            .targetSuffixes(".keras")
            .writeProperties(new WriteProperty(KerasArchive.ZIPPED, "true or false",
                    "false: a directory, as Keras's save(zipped=False); default true"))
            .build();

    @Override public CodecInfo info() { return INFO; }

    /** FULL when the first local header names one of Keras's members; a zip alone is WEAK. */
    @Override
    public MatchStrength probe(ProbeInput input) {
        if (input.isDirectory()) {
            boolean config = input.child("config.json").isPresent();
            boolean weights = input.child("model.weights.h5").isPresent() || input.child("model.weights.npz").isPresent();
            if (config && input.child("metadata.json").isPresent()) return weights ? MatchStrength.FULL : MatchStrength.SOLID;
            return MatchStrength.NO_MATCH;
        }
        if (!ProbeInput.startsWith(input.head(), ZIP)) return MatchStrength.NO_MATCH;
        boolean names = input.headContains("metadata.json") || input.headContains("config.json");
        return names ? MatchStrength.FULL : MatchStrength.WEAK;
    }

    @Override public KerasFile read(Path source, ReadOptions options) { return KerasArchive.read(source); }

    @Override public void write(Model model, Path target, WriteOptions options) { KerasArchive.write(model, target, options); }
}
