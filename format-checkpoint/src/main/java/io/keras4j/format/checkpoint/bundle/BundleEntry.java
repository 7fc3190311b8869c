package io.keras4j.format.checkpoint.bundle;

import io.keras4j.tensor.DType;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where and how one tensor of a bundle is stored: its TensorFlow dtype, shape, shard, byte range and the CRC32C
 * of its bytes (unmasked). A partitioned variable has {@link #slices()} and no bytes of its own.
 */
public final class BundleEntry {
    private final String key;
    private final int dataTypeCode;
    private final long[] shape;
    private final int shardId;
    private final long offset;
    private final long size;
    private final int crc32c;
    private final List<Slice> slices;

    BundleEntry(String key, int dataTypeCode, long[] shape, int shardId, long offset, long size, int crc32c, List<Slice> slices) {
        this.key = key;
        this.dataTypeCode = dataTypeCode;
        this.shape = shape.clone();
        this.shardId = shardId;
        this.offset = offset;
        this.size = size;
        this.crc32c = crc32c;
        this.slices = List.copyOf(slices);
    }

    public String key() { return key; }

    /** The keras4j dtype, empty for TensorFlow types keras4j does not represent (variant, resource, complex, quantized). */
    public Optional<DType> dtype() { return TfDataTypes.toDType(dataTypeCode); }

    /** TensorFlow's {@code DataType} number. */
    public int dataTypeCode() { return dataTypeCode; }

    public String dtypeName() { return TfDataTypes.name(dataTypeCode); }

    public long[] shape() { return shape.clone(); }

    public int shardId() { return shardId; }

    public long offset() { return offset; }

    public long size() { return size; }

    /** The CRC32C of the stored bytes, unmasked. */
    public int crc32c() { return crc32c; }

    /** The parts of a partitioned variable, each stored under its own encoded key; empty for ordinary tensors. */
    public List<Slice> slices() { return slices; }

    public boolean isSliced() { return !slices.isEmpty(); }

    /**
     * One part of a partitioned variable: per dimension a start and a length, where a length of -1 means the whole
     * dimension (TensorFlow's {@code kFullExtent}).
     */
    public record Slice(long[] starts, long[] lengths) {
        public Slice {
            starts = starts.clone();
            lengths = lengths.clone();
            if (starts.length != lengths.length) throw new IllegalArgumentException("starts and lengths differ in rank");
        }

        @Override public long[] starts() { return starts.clone(); }

        @Override public long[] lengths() { return lengths.clone(); }

        public int rank() { return starts.length; }

        @Override public boolean equals(Object o) {
            return o instanceof Slice s && Arrays.equals(starts, s.starts) && Arrays.equals(lengths, s.lengths);
        }

        @Override public int hashCode() { return 31 * Arrays.hashCode(starts) + Arrays.hashCode(lengths); }

        @Override public String toString() {
            StringBuilder sb = new StringBuilder();
            for (int d = 0; d < starts.length; d++) {
                if (d > 0) sb.append(':');
                sb.append(lengths[d] < 0 ? "-" : starts[d] + "," + lengths[d]);
            }
            return sb.toString();
        }
    }

    @Override public String toString() {
        return key + " " + dtypeName() + Arrays.toString(shape) + " shard " + shardId + " @" + offset + "+" + size
                + (slices.isEmpty() ? "" : " slices " + slices);
    }
}
