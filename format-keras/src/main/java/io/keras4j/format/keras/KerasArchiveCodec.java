package io.keras4j.format.keras;

import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import io.keras4j.spi.Codec;
import io.keras4j.spi.Feature;
import io.keras4j.spi.InputKind;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.spi.WriteProperty;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The Keras 3 {@code .keras} archive, zipped or as a directory ({@code keras.zipped=false} writes the latter). */
public final class KerasArchiveCodec implements Codec {
    private static final byte[] ZIP = {'P', 'K', 3, 4};

    @Override public String name() { return KerasArchive.CODEC; }

    @Override public String description() { return "Keras 3 archive (.keras zip or directory)"; }

    @Override public Set<Feature> reads() { return EnumSet.allOf(Feature.class); }

    @Override public Set<Feature> writes() { return EnumSet.allOf(Feature.class); }

    @Override public Set<InputKind> inputKinds() { return EnumSet.of(InputKind.FILE, InputKind.DIRECTORY); }

    @Override public List<String> targetSuffixes() { return List.of(".keras"); }
    @Override public List<WriteProperty> writeProperties() {
        return List.of(new WriteProperty(KerasArchive.ZIPPED, "true or false",
                "false: a directory, as Keras's save(zipped=False); default true"));
    }

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
        String head = StandardCharsets.ISO_8859_1.decode(input.head()).toString();
        boolean names = head.contains("metadata.json") || head.contains("config.json");
        return names ? MatchStrength.FULL : MatchStrength.WEAK;
    }

    @Override public KerasFile read(Path source, ReadOptions options) { return KerasArchive.read(source); }

    @Override public void write(Model model, Path target, WriteOptions options) { KerasArchive.write(model, target, options); }
}
