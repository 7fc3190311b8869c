package io.keras4j.format.checkpoint;

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
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * TensorFlow checkpoints ({@code prefix.index} + {@code prefix.data-*}) as tf.keras {@code save_weights} and
 * Keras 3 {@code tf.train.Checkpoint(model=…)} write them. Keras names the prefix without a suffix, so a bare
 * prefix target needs the format named explicitly ({@code --to checkpoint}); {@code .ckpt} targets are recognised.
 */
public final class CheckpointCodec implements Codec {
    private static final byte[] TABLE_MAGIC = {0x57, (byte) 0xfb, (byte) 0x80, (byte) 0x8b, 0x24, 0x75, 0x47, (byte) 0xdb};

    private static final CodecInfo INFO = CodecInfo.builder("checkpoint", CheckpointCodec.class)
            .description("TensorFlow checkpoint (tensor bundle: .index + .data shards)")
            .reads(Feature.WEIGHTS, Feature.OPTIMIZER_STATE)
            .writes(Feature.WEIGHTS, Feature.OPTIMIZER_STATE)
            .inputKinds(InputKind.PREFIX, InputKind.FILE, InputKind.DIRECTORY)
            .targetSuffixes(".ckpt")
            .build();

    @Override public CodecInfo info() { return INFO; }

    /**
     * FULL when the index ends with the table magic and starts with the bundle header entry; SOLID on the magic
     * alone. Accepts the prefix, its {@code .index} file, or a directory holding a {@code checkpoint} state file.
     */
    @Override
    public MatchStrength probe(ProbeInput input) {
        if (input.isDirectory()) {
            if (input.child("checkpoint").isEmpty()) return MatchStrength.NO_MATCH;
            boolean hasIndex = input.list().stream().anyMatch(n -> n.endsWith(".index"));
            return hasIndex ? MatchStrength.SOLID : MatchStrength.INCONCLUSIVE;
        }
        Optional<ProbeInput> index = input.isFile() ? Optional.of(input) : input.withSuffix(".index");
        if (index.isEmpty()) return MatchStrength.NO_MATCH;
        if (!ProbeInput.startsWith(index.get().tail(8), TABLE_MAGIC)) return MatchStrength.NO_MATCH;
        return startsWithBundleHeader(index.get().head()) ? MatchStrength.FULL : MatchStrength.SOLID;
    }

    /**
     * The first entry of the first block: key "" (shared 0, unshared 0), then a BundleHeaderProto whose first
     * field is {@code num_shards} (tag 0x08) with a positive value.
     */
    private static boolean startsWithBundleHeader(ByteBuffer head) {
        if (head.remaining() < 5) return false;
        int p = head.position();
        return head.get(p) == 0 && head.get(p + 1) == 0 && head.get(p + 2) > 0 && head.get(p + 3) == 0x08
                && head.get(p + 4) != 0;
    }

    @Override
    public KerasFile read(Path source, ReadOptions options) { return CheckpointReader.read(source, options); }

    @Override
    public void write(Model model, Path target, WriteOptions options) { CheckpointWriter.write(model, target, options); }

    @Override
    public Model loadWeights(Model architecture, Path source, LoadWeightsOptions options) {
        return CheckpointReader.loadWeights(architecture, source, options);
    }
}
