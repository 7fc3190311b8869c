package io.keras4j.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * The little-endian bytes of a tensor. Either held on the heap or a region of a file that is mapped only when read,
 * so that large weights are not copied. Sizes and offsets are {@code long}: tensors past 2 GiB work as file regions.
 */
public abstract sealed class TensorData permits TensorData.Heap, TensorData.FileRegion {

    /** Size in bytes. */
    public abstract long size();

    /**
     * A read-only little-endian view of {@code length} bytes from {@code offset}. Views are at most 2 GiB;
     * read bigger tensors piecewise.
     */
    public abstract ByteBuffer slice(long offset, int length);

    /** The whole content as one read-only little-endian buffer; fails for data over 2 GiB. */
    public ByteBuffer buffer() {
        if (size() > Integer.MAX_VALUE) {
            throw new IllegalStateException("tensor data of " + size() + " bytes does not fit one buffer; use slice()");
        }
        return slice(0, (int) size());
    }

    public static TensorData of(ByteBuffer bytes) { return new Heap(bytes); }

    public static TensorData of(byte[] bytes) { return new Heap(ByteBuffer.wrap(bytes)); }

    /** A region of a file, read lazily. The file must not change while the tensor is in use. */
    public static TensorData ofFile(Path file, long offset, long length) { return new FileRegion(file, offset, length); }

    public static final class Heap extends TensorData {
        private final ByteBuffer bytes;

        private Heap(ByteBuffer bytes) {
            this.bytes = bytes.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override public long size() { return bytes.remaining(); }

        @Override
        public ByteBuffer slice(long offset, int length) {
            Objects.checkFromIndexSize(offset, length, size());
            return bytes.slice((int) offset, length).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    public static final class FileRegion extends TensorData {
        private final Path file;
        private final long offset;
        private final long length;

        private FileRegion(Path file, long offset, long length) {
            if (offset < 0 || length < 0) throw new IllegalArgumentException("negative offset or length");
            this.file = Objects.requireNonNull(file, "file");
            this.offset = offset;
            this.length = length;
        }

        public Path file() { return file; }

        public long fileOffset() { return offset; }

        @Override public long size() { return length; }

        @Override
        public ByteBuffer slice(long from, int count) {
            Objects.checkFromIndexSize(from, count, length);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                // Small reads are copied; large ones are mapped so the page cache backs them instead of the heap.
                if (count < (1 << 20)) {
                    ByteBuffer buf = ByteBuffer.allocate(count);
                    long pos = offset + from;
                    while (buf.hasRemaining()) {
                        int n = ch.read(buf, pos + buf.position());
                        if (n < 0) throw new IOException("file ends before byte " + (pos + count));
                    }
                    return buf.flip().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
                }
                return ch.map(FileChannel.MapMode.READ_ONLY, offset + from, count).order(ByteOrder.LITTLE_ENDIAN);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + count + " bytes at offset " + (offset + from) + " of " + file, e);
            }
        }
    }
}
