package io.keras4j.format.checkpoint.bundle;

import java.nio.file.Path;

/**
 * TensorFlow's tensor bundle (checkpoint format V2): {@code <prefix>.index}, a sorted table of
 * {@link BundleEntry}s, and {@code <prefix>.data-NNNNN-of-NNNNN} shards of raw little-endian tensor bytes.
 * This is the layer both checkpoints and SavedModel {@code variables/} use.
 */
public final class TensorBundle {
    private TensorBundle() {}

    /** Opens the bundle at {@code prefix} (e.g. {@code dir/ckpt} for {@code dir/ckpt.index}). */
    public static BundleReader open(Path prefix) { return BundleReader.open(prefix); }

    public static Path indexFile(Path prefix) { return prefix.resolveSibling(prefix.getFileName() + ".index"); }

    public static Path dataFile(Path prefix, int shard, int numShards) {
        return prefix.resolveSibling(String.format("%s.data-%05d-of-%05d", prefix.getFileName(), shard, numShards));
    }
}
