package io.keras4j.format.checkpoint.bundle;

import io.keras4j.tf.proto.CheckpointProtos;
import io.keras4j.spi.OutputFiles;
import io.keras4j.tensor.DType;
import io.keras4j.tensor.Tensor;
import io.keras4j.tensor.TensorData;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Writes a single-shard tensor bundle as TensorFlow's {@code BundleWriter} does: tensor bytes appended to
 * {@code <prefix>.data-00000-of-00001} in the order added, then the sorted {@code <prefix>.index}. Both are written
 * to temporary files beside the target and moved into place by {@link #finish()}, the index last, so a failed write
 * leaves no half-written checkpoint. Tensors are streamed in chunks, so tensors past 2 GiB work; chunks of zeros
 * are skipped rather than written, which leaves holes on file systems that support sparse files.
 */
public final class BundleWriter implements Closeable {
    private static final int CHUNK = 1 << 20;
    private static final byte[] ZEROS = new byte[CHUNK];

    private final Path prefix;
    private final Path tempData;
    private final FileChannel data;
    private final Map<byte[], byte[]> index = new TreeMap<>(Arrays::compareUnsigned);
    private long position;
    private boolean finished;

    private BundleWriter(Path prefix) throws IOException {
        this.prefix = prefix.toAbsolutePath();
        Path dir = this.prefix.getParent();
        Files.createDirectories(dir);
        this.tempData = OutputFiles.createTempFile(dir, this.prefix.getFileName() + ".data-", ".tmp");
        this.data = FileChannel.open(tempData, StandardOpenOption.WRITE);
    }

    public static BundleWriter create(Path prefix) {
        try {
            return new BundleWriter(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a checkpoint at " + prefix, e);
        }
    }

    /** Appends a tensor under a key not used before. */
    public BundleWriter add(String key, Tensor value) {
        if (finished) throw new IllegalStateException("the bundle is already finished");
        if (key.isEmpty()) throw new IllegalArgumentException("the empty key is reserved for the bundle header");
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        if (index.containsKey(keyBytes)) throw new IllegalArgumentException("key '" + key + "' was already added");
        try {
            long offset = position;
            int crc;
            if (value.dtype() == DType.STRING) {
                StringTensors.Encoded encoded = StringTensors.encode(value.strings());
                writeData(TensorData.of(encoded.bytes()));
                crc = encoded.crc();
            } else {
                crc = writeData(value.data());
            }
            var entry = CheckpointProtos.BundleEntryProto.newBuilder()
                    .setDtype(TfDataTypes.toCode(value.dtype()))
                    .setShardId(0)
                    .setOffset(offset)
                    .setSize(position - offset)
                    .setCrc32C(Crc32c.mask(crc));
            var shape = entry.getShapeBuilder();
            for (long d : value.shape()) shape.addDimBuilder().setSize(d);
            index.put(keyBytes, entry.build().toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write '" + key + "' to " + tempData, e);
        }
        return this;
    }

    /** Stores the object graph TF2 restores by, under {@code _CHECKPOINTABLE_OBJECT_GRAPH}. */
    public BundleWriter addObjectGraph(TrackableObjectGraph graph) {
        return add(TrackableObjectGraph.KEY, Tensor.ofStrings(List.of(ObjectGraphCodec.serialize(graph))));
    }

    /** Writes the index and moves both files into place. */
    public void finish() {
        if (finished) throw new IllegalStateException("the bundle is already finished");
        Path tempIndex = null;
        try {
            // A skipped run of zeros at the end still has to count in the file length.
            if (data.size() < position) data.write(ByteBuffer.wrap(new byte[1]), position - 1);
            data.force(true);
            data.close();
            var header = CheckpointProtos.BundleHeaderProto.newBuilder().setNumShards(1)
                    .setEndianness(CheckpointProtos.BundleHeaderProto.Endianness.LITTLE);
            header.getVersionBuilder().setProducer(1);
            List<Table.Entry> entries = new ArrayList<>();
            entries.add(new Table.Entry(new byte[0], header.build().toByteArray()));
            index.forEach((k, v) -> entries.add(new Table.Entry(k, v)));
            tempIndex = OutputFiles.createTempFile(prefix.getParent(), prefix.getFileName() + ".index-", ".tmp");
            Files.write(tempIndex, TableWriter.write(entries));
            Files.move(tempData, TensorBundle.dataFile(prefix, 0, 1), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            Files.move(tempIndex, TensorBundle.indexFile(prefix), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            finished = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finish the checkpoint " + prefix, e);
        } finally {
            if (!finished) {
                deleteQuietly(tempIndex);
                close();
            }
        }
    }

    /** Discards the temporary files unless {@link #finish()} succeeded. */
    @Override
    public void close() {
        if (finished) return;
        try {
            data.close();
        } catch (IOException e) {
            // already failing or abandoned: the temp file is removed below
        }
        deleteQuietly(tempData);
    }

    private int writeData(TensorData bytes) throws IOException {
        CRC32C crc = new CRC32C();
        long size = bytes.size();
        for (long off = 0; off < size; off += CHUNK) {
            int n = (int) Math.min(CHUNK, size - off);
            ByteBuffer chunk = bytes.slice(off, n);
            crc.update(chunk.duplicate());
            if (!isZero(chunk)) {
                long at = position;
                while (chunk.hasRemaining()) at += data.write(chunk, at);
            }
            position += n;
        }
        return (int) crc.getValue();
    }

    private static boolean isZero(ByteBuffer chunk) {
        if (chunk.remaining() < CHUNK) return false;
        return chunk.duplicate().equals(ByteBuffer.wrap(ZEROS));
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: a stray temp file is harmless
        }
    }
}
