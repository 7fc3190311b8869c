package io.keras4j.format.checkpoint.bundle;

import com.google.protobuf.InvalidProtocolBufferException;
import io.keras4j.CorruptModelException;
import io.keras4j.UnsupportedModelException;
import io.keras4j.tf.proto.CheckpointProtos;
import io.keras4j.tensor.DType;
import io.keras4j.tensor.Tensor;
import io.keras4j.tensor.TensorData;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An open tensor bundle. The index is decoded and every entry checked against the shard files when opening, so a
 * size or offset the index merely claims never reaches an allocation. {@link #read} verifies the tensor's CRC32C by
 * streaming its bytes once, then returns a tensor backed lazily by the shard file (no heap copy) that checks the CRC32C
 * again whenever it is read; sliced variables and strings are assembled on the heap. The shards are opened with the
 * index and held (by the reader and its tensors), so that a checkpoint saved later over the same prefix cannot change
 * what was loaded. Thread-safe.
 */
public final class BundleReader implements Closeable {
    private static final String CODEC = "checkpoint";
    private static final int MAX_SHARDS = 1 << 16;
    /** Upper bound for the index file read into memory: one entry per tensor stays far below it. */
    private static final long MAX_INDEX_SIZE = 1L << 30;

    private final Path prefix;
    private final Path indexFile;
    private final int numShards;
    private final Map<String, BundleEntry> entries;
    private final Map<ByteBuffer, BundleEntry> sliceEntries;
    private final Map<Integer, TensorData.HeldFile> shards;
    private TrackableObjectGraph objectGraph;

    private BundleReader(Path prefix, Path indexFile, int numShards, Map<String, BundleEntry> entries,
                         Map<ByteBuffer, BundleEntry> sliceEntries, Map<Integer, TensorData.HeldFile> shards) {
        this.prefix = prefix;
        this.indexFile = indexFile;
        this.numShards = numShards;
        this.entries = entries;
        this.sliceEntries = sliceEntries;
        this.shards = shards;
    }

    static BundleReader open(Path prefix) {
        Path index = TensorBundle.indexFile(prefix);
        byte[] bytes;
        try {
            long size = Files.size(index);
            if (size > MAX_INDEX_SIZE) throw corrupt(index).because("index of " + size + " bytes is implausibly large");
            bytes = Files.readAllBytes(index);
        } catch (NoSuchFileException e) {
            throw new UnsupportedModelException("no checkpoint at prefix " + prefix + ": " + index + " does not exist",
                    CODEC, index, null, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + index, e);
        }
        List<Table.Entry> table = Table.read(index, bytes);
        if (table.isEmpty() || table.get(0).key().length != 0) {
            throw corrupt(index).because("the index has no bundle header (the entry under the empty key)");
        }
        CheckpointProtos.BundleHeaderProto header;
        try {
            header = CheckpointProtos.BundleHeaderProto.parseFrom(table.get(0).value());
        } catch (InvalidProtocolBufferException e) {
            throw corrupt(index).at("bundle header").cause(e).because("unreadable BundleHeaderProto: " + e.getMessage());
        }
        if (header.getEndianness() != CheckpointProtos.BundleHeaderProto.Endianness.LITTLE) {
            throw corrupt(index).at("bundle header").unsupported("big-endian bundles are not supported");
        }
        int numShards = header.getNumShards();
        if (numShards < 1 || numShards > MAX_SHARDS) {
            throw corrupt(index).at("bundle header").because("num_shards " + numShards + " is out of range");
        }
        Map<String, BundleEntry> entries = new LinkedHashMap<>();
        Map<ByteBuffer, BundleEntry> slices = new HashMap<>();
        Map<Integer, TensorData.HeldFile> shards = new HashMap<>();
        for (Table.Entry e : table.subList(1, table.size())) {
            boolean sliceKey = e.key().length > 0 && e.key()[0] == 0;
            String key = new String(e.key(), sliceKey ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
            BundleEntry entry = parseEntry(prefix, index, key, e.value(), numShards, shards);
            if (sliceKey) slices.put(ByteBuffer.wrap(e.key()), entry);
            else entries.put(key, entry);
        }
        return new BundleReader(prefix, index, numShards, entries, slices, Map.copyOf(shards));
    }

    private static BundleEntry parseEntry(Path prefix, Path index, String key, byte[] value, int numShards,
                                          Map<Integer, TensorData.HeldFile> shards) {
        CheckpointProtos.BundleEntryProto p;
        try {
            p = CheckpointProtos.BundleEntryProto.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw corrupt(index).at(key).cause(e).because("unreadable BundleEntryProto: " + e.getMessage());
        }
        if (p.getShape().getUnknownRank()) throw corrupt(index).at(key).because("a stored tensor has an unknown rank");
        long[] shape = new long[p.getShape().getDimCount()];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = p.getShape().getDim(d).getSize();
            if (shape[d] < 0) throw corrupt(index).at(key).because("negative dimension in shape " + Arrays.toString(shape));
        }
        List<BundleEntry.Slice> slices = new ArrayList<>();
        for (CheckpointProtos.TensorSliceProto s : p.getSlicesList()) slices.add(slice(index, key, s, shape));
        BundleEntry entry = new BundleEntry(key, p.getDtype(), shape, p.getShardId(), p.getOffset(), p.getSize(),
                Crc32c.unmask(p.getCrc32C()), slices);
        if (entry.shardId() < 0 || entry.shardId() >= numShards) {
            throw corrupt(index).at(key).because("shard " + entry.shardId() + " of a bundle with " + numShards + " shards");
        }
        if (entry.offset() < 0 || entry.size() < 0) {
            throw corrupt(index).at(key).because("negative offset " + entry.offset() + " or size " + entry.size());
        }
        if (entry.isSliced()) return entry; // the parts carry the bytes
        checkClaimedSize(index, entry);
        Path shard = TensorBundle.dataFile(prefix, entry.shardId(), numShards);
        long shardSize;
        try {
            shardSize = shards.computeIfAbsent(entry.shardId(), id -> {
                try {
                    return TensorData.HeldFile.open(shard);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).size();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                throw corrupt(shard).at(key).because("missing data shard " + shard.getFileName() + " (shard "
                        + entry.shardId() + " of " + numShards + ")");
            }
            throw new UncheckedIOException("cannot read " + shard, e.getCause());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + shard, e);
        }
        if (entry.offset() > shardSize - entry.size()) {
            throw corrupt(shard).at(key).offset(entry.offset()).because("tensor of " + entry.size() + " bytes at offset "
                    + entry.offset() + " runs past the end of the " + shardSize + "-byte shard");
        }
        return entry;
    }

    /** The bytes a dtype and shape need must match what the entry claims, before anything is read. */
    private static void checkClaimedSize(Path index, BundleEntry entry) {
        if (entry.dtype().isEmpty()) return; // reported when read
        DType dtype = entry.dtype().get();
        long elements;
        try {
            elements = Tensor.elementCount(entry.shape());
            if (dtype != DType.STRING) {
                long expected = Math.multiplyExact(elements, dtype.byteSize());
                if (expected != entry.size()) {
                    throw corrupt(index).at(entry.key()).because("a " + dtype + " tensor of shape "
                            + Arrays.toString(entry.shape()) + " needs " + expected + " bytes, the index claims " + entry.size());
                }
            } else if (entry.size() < Math.addExact(elements, 4)) {
                throw corrupt(index).at(entry.key()).because(elements + " strings cannot fit " + entry.size() + " bytes");
            }
        } catch (ArithmeticException e) {
            throw corrupt(index).at(entry.key()).because("shape " + Arrays.toString(entry.shape()) + " overflows 64 bits");
        }
    }

    private static BundleEntry.Slice slice(Path index, String key, CheckpointProtos.TensorSliceProto s, long[] shape) {
        if (s.getExtentCount() != shape.length) {
            throw corrupt(index).at(key).because("a slice of rank " + s.getExtentCount() + " of a rank-" + shape.length + " tensor");
        }
        long[] starts = new long[shape.length];
        long[] lengths = new long[shape.length];
        for (int d = 0; d < shape.length; d++) {
            var e = s.getExtent(d);
            starts[d] = e.getStart();
            lengths[d] = e.hasLength() ? e.getLength() : -1;
            long end = lengths[d] < 0 ? shape[d] : starts[d] + lengths[d];
            if (starts[d] < 0 || end > shape[d] || end < starts[d]) {
                throw corrupt(index).at(key).because("slice extent " + starts[d] + "+" + lengths[d] + " outside dimension "
                        + d + " of size " + shape[d]);
            }
        }
        return new BundleEntry.Slice(starts, lengths);
    }

    public Path prefix() { return prefix; }

    public int numShards() { return numShards; }

    /** The tensor keys in the bundle's (sorted) order, without the header and the keys of slices. */
    public List<String> keys() { return List.copyOf(entries.keySet()); }

    public boolean contains(String key) { return entries.containsKey(key); }

    /** The entry of {@code key}; an {@link IllegalArgumentException} names the key when absent. */
    public BundleEntry entry(String key) {
        BundleEntry e = entries.get(key);
        if (e == null) throw new IllegalArgumentException("no tensor '" + key + "' in checkpoint " + prefix);
        return e;
    }

    /**
     * The entry of a key the checkpoint itself names (its object graph, a SavedModel's restore op): absent, the index
     * is damaged or belongs to another checkpoint (Jazzer found an index whose object graph names a missing tensor).
     */
    private BundleEntry stored(String key) {
        BundleEntry e = entries.get(key);
        if (e == null) {
            throw corrupt(indexFile).at(key).because("no tensor '" + key + "' in the index, though the checkpoint names it"
                    + " (a damaged index, or one of another checkpoint)");
        }
        return e;
    }

    /** The tensor under {@code key}, its CRC32C verified. */
    public Tensor read(String key) {
        BundleEntry e = stored(key);
        DType dtype = e.dtype().orElseThrow(() -> corrupt(indexFile).at(key)
                .unsupported("tensors of TensorFlow type " + e.dtypeName() + " cannot be read"));
        if (e.isSliced()) return assembleSlices(e, dtype);
        Path shard = TensorBundle.dataFile(prefix, e.shardId(), numShards);
        if (dtype == DType.STRING) return readStrings(e, shard, key);
        verifyCrc(e, shard, key);
        return Tensor.of(dtype, e.shape(), shard(e).region(e.offset(), e.size(), e.crc32c()));
    }

    /**
     * The tensor under {@code key} without reading it: numeric tensors come back backed by the shard file and are
     * neither read nor CRC-checked (for listings); other tensors are read as by {@link #read}.
     */
    public Tensor readLazily(String key) {
        BundleEntry e = stored(key);
        if (e.isSliced() || e.dtype().isEmpty() || e.dtype().get() == DType.STRING) return read(key);
        return Tensor.of(e.dtype().get(), e.shape(), shard(e).region(e.offset(), e.size(), e.crc32c()));
    }

    /** Whether the bundle carries a TF2 object graph (TF1 {@code Saver} checkpoints do not). */
    public boolean hasObjectGraph() { return entries.containsKey(TrackableObjectGraph.KEY); }

    /** The object graph of a TF2 checkpoint; {@link UnsupportedModelException} for TF1 checkpoints that have none. */
    public synchronized TrackableObjectGraph objectGraph() {
        if (objectGraph == null) {
            if (!hasObjectGraph()) {
                throw corrupt(indexFile).unsupported("no " + TrackableObjectGraph.KEY + ": a TF1 (name-based) checkpoint");
            }
            Tensor t = read(TrackableObjectGraph.KEY);
            if (t.dtype() != DType.STRING || t.elementCount() != 1) {
                throw corrupt(indexFile).at(TrackableObjectGraph.KEY).because("expected one string, found " + t);
            }
            try {
                objectGraph = ObjectGraphCodec.parse(t.strings().get(0));
            } catch (InvalidProtocolBufferException | IllegalArgumentException ex) {
                throw corrupt(indexFile).at(TrackableObjectGraph.KEY).cause(ex)
                        .because("unreadable object graph: " + ex.getMessage());
            }
        }
        return objectGraph;
    }

    /** The shard held since the index was opened (parseEntry opened every shard an unsliced entry names). */
    private TensorData.HeldFile shard(BundleEntry e) {
        TensorData.HeldFile held = shards.get(e.shardId());
        if (held == null) throw new IllegalStateException("shard " + e.shardId() + " of " + prefix + " was not opened");
        return held;
    }

    private void verifyCrc(BundleEntry e, Path shard, String key) {
        int computed;
        try {
            computed = shard(e).crc32c(e.offset(), e.size());
        } catch (IOException ex) {
            throw corrupt(shard).at(key).offset(e.offset()).cause(ex).because("cannot read the tensor: " + ex.getMessage());
        }
        if (computed != e.crc32c()) {
            throw corrupt(shard).at(key).offset(e.offset()).because(String.format("tensor bytes fail their CRC32C check "
                    + "(stored 0x%08x, computed 0x%08x) in shard %d", e.crc32c(), computed, e.shardId()));
        }
    }

    private Tensor readStrings(BundleEntry e, Path shard, String key) {
        if (e.size() > Integer.MAX_VALUE - 8) {
            throw corrupt(shard).at(key).unsupported("string tensors over 2 GiB are not supported");
        }
        ByteBuffer bytes = shard(e).region(e.offset(), e.size()).buffer();
        // fits an int: checkClaimedSize bounded the element count by the size
        int count = (int) Tensor.elementCount(e.shape());
        try {
            return Tensor.ofStrings(StringTensors.decode(bytes, count, e.crc32c()), e.shape());
        } catch (IllegalArgumentException ex) {
            throw corrupt(shard).at(key).offset(e.offset()).because(ex.getMessage() + " in shard " + e.shardId());
        }
    }

    /** A partitioned variable: each part is read (and verified) under its encoded key and copied into place. */
    private Tensor assembleSlices(BundleEntry full, DType dtype) {
        if (dtype == DType.STRING) {
            throw corrupt(indexFile).at(full.key()).unsupported("partitioned string variables are not supported");
        }
        long[] shape = full.shape();
        long bytes = Tensor.elementCount(shape) * dtype.byteSize();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw corrupt(indexFile).at(full.key()).unsupported("partitioned variables over 2 GiB are not supported");
        }
        // The index alone claims the variable's size; its parts are data the shards really hold (bounded by the shard
        // files when the index was read). Allocate only when the parts can fill what the variable claims.
        long partBytes = 0;
        for (BundleEntry.Slice slice : full.slices()) {
            BundleEntry part = sliceEntries.get(ByteBuffer.wrap(SliceKeys.encode(full.key(), slice)));
            if (part == null) {
                throw corrupt(indexFile).at(full.key()).because("the part " + slice + " of a partitioned variable is missing");
            }
            partBytes += part.size();
        }
        if (partBytes != bytes) {
            throw corrupt(indexFile).at(full.key()).because("the partitioned variable claims " + bytes + " bytes ("
                    + dtype + Arrays.toString(shape) + ") but its parts hold " + partBytes);
        }
        byte[] out = new byte[(int) bytes];
        for (BundleEntry.Slice slice : full.slices()) {
            BundleEntry part = sliceEntries.get(ByteBuffer.wrap(SliceKeys.encode(full.key(), slice)));
            if (part == null) {
                throw corrupt(indexFile).at(full.key()).because("the part " + slice + " of a partitioned variable is missing");
            }
            long[] partShape = new long[shape.length];
            long[] starts = slice.starts();
            long[] lengths = slice.lengths();
            for (int d = 0; d < shape.length; d++) partShape[d] = lengths[d] < 0 ? shape[d] : lengths[d];
            if (!Arrays.equals(part.shape(), partShape) || part.dataTypeCode() != full.dataTypeCode()) {
                throw corrupt(indexFile).at(full.key()).because("part " + slice + " is stored as " + part.dtypeName()
                        + Arrays.toString(part.shape()) + ", expected " + dtype + Arrays.toString(partShape));
            }
            Path shard = TensorBundle.dataFile(prefix, part.shardId(), numShards);
            verifyCrc(part, shard, full.key() + " part " + slice);
            ByteBuffer src = shard(part).region(part.offset(), part.size(), part.crc32c()).buffer();
            copyBlock(src, out, shape, starts, partShape, dtype.byteSize());
        }
        return Tensor.of(dtype, shape, ByteBuffer.wrap(out));
    }

    /** Copies a row-major block of {@code partShape} into {@code out} (of {@code shape}) at {@code starts}. */
    private static void copyBlock(ByteBuffer src, byte[] out, long[] shape, long[] starts, long[] partShape, int elem) {
        int rank = shape.length;
        if (rank == 0) {
            src.get(0, out, 0, elem);
            return;
        }
        int run = (int) partShape[rank - 1] * elem;
        long rows = Tensor.elementCount(partShape) / Math.max(1, partShape[rank - 1]);
        long[] index = new long[rank - 1];
        int srcPos = 0;
        for (long r = 0; r < rows && run > 0; r++) {
            long dst = 0;
            for (int d = 0; d < rank - 1; d++) dst = dst * shape[d] + starts[d] + index[d];
            dst = (dst * shape[rank - 1] + starts[rank - 1]) * elem;
            src.get(srcPos, out, (int) dst, run);
            srcPos += run;
            for (int d = rank - 2; d >= 0; d--) {
                if (++index[d] < partShape[d]) break;
                index[d] = 0;
            }
        }
    }

    private static CorruptModelException.Builder corrupt(Path file) {
        return CorruptModelException.in(file).codec(CODEC);
    }

    /** Nothing to release: tensors open their shard only while they are read. */
    @Override public void close() {}

    @Override public String toString() { return "BundleReader[" + prefix + ", " + entries.size() + " tensors]"; }
}
