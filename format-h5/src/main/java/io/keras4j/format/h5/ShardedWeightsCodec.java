package io.keras4j.format.h5;

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
import io.keras4j.spi.WriteProperty;
import java.nio.file.Path;

/** Keras 3 sharded weights: a {@code .weights.json} index plus {@code _00000.weights.h5} shards beside it. */
public final class ShardedWeightsCodec implements Codec {
    private static final CodecInfo INFO = CodecInfo.builder(ShardedWeights.CODEC, ShardedWeightsCodec.class)
            .description("Keras 3 sharded weights (.weights.json + .weights.h5 shards)")
            .reads(Feature.WEIGHTS, Feature.OPTIMIZER_STATE)
            .writes(Feature.WEIGHTS, Feature.OPTIMIZER_STATE)
            .inputKinds(InputKind.FILE)
            .targetSuffixes(".weights.json")
            .writeProperties(new WriteProperty(ShardedWeights.MAX_SHARD_BYTES, "a number of bytes > 0",
                    "largest shard, as Keras's max_shard_size; default 5 GB"))
            .rank(10) // above the generic JSON codec: a weight index is not an architecture
            .build();

    @Override public CodecInfo info() { return INFO; }

    @Override
    public MatchStrength probe(ProbeInput input) {
        if (!input.isFile()) return MatchStrength.NO_MATCH;
        if (input.firstNonBlankByte() != '{') return MatchStrength.NO_MATCH;
        String head = input.headText();
        if (!head.contains("\"weight_map\"")) return MatchStrength.NO_MATCH;
        return head.contains(".weights.h5\"") && head.contains("\"metadata\"") ? MatchStrength.FULL : MatchStrength.SOLID;
    }

    @Override public KerasFile read(Path source, ReadOptions options) { return ShardedWeights.read(source); }

    @Override public void write(Model model, Path target, WriteOptions options) { ShardedWeights.write(model, target, options); }

    @Override
    public Model loadWeights(Model architecture, Path source, LoadWeightsOptions options) {
        return ShardedWeights.loadWeights(architecture, source, options);
    }
}
