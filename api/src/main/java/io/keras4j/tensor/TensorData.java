package io.keras4j.tensor;

import io.keras4j.CorruptModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The little-endian bytes of a tensor. Either held on the heap or a region of a file that is read only when used,
 * so that large weights are not copied. Sizes and offsets are {@code long}: tensors past 2 GiB work as file regions.
 */
public abstract sealed class TensorData permits TensorData.Heap, TensorData.FileRegion {
    /** Reads of at least this many bytes map the file (the page cache backs them) instead of copying into the heap. */
    private static final int MAP_FROM = 1 << 20;
    /** Checksums of mapped regions go through mappings of at most this size. */
    private static final int MAP_CHUNK = 1 << 28;

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

    /**
     * A region of {@code file}, which is opened now and held: renaming, replacing or deleting the path later does not
     * change the tensor (readers that make many regions of one file should open one {@link HeldFile} instead).
     */
    public static TensorData ofFile(Path file, long offset, long length) {
        try {
            return HeldFile.open(file).region(offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

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

    /**
     * A file opened once, at load, and read by position for as long as a tensor refers to it. Weights used to be
     * re-opened by path at every read, so saving a model over the file it came from (a rename onto that path) made
     * the loaded model read the new file. An open channel keeps the original file (its inode, on POSIX) whatever
     * happens to the path; the channel closes when no region refers to it any more (the JDK's cleaner). A file
     * rewritten in place is still seen: checksummed regions catch that at their next read, but a large read (mapped)
     * that was checked sees a later change, as the unchecked HDF5 and zip regions do.
     */
    public static final class HeldFile {
        private final Path path;
        private final FileChannel channel;

        private HeldFile(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        public static HeldFile open(Path path) throws IOException {
            return new HeldFile(path, FileChannel.open(path, StandardOpenOption.READ));
        }

        /** The path the file was opened at (which may since name another file). */
        public Path path() { return path; }

        public long size() throws IOException { return channel.size(); }

        /** Reads {@code dst.remaining()} bytes from {@code position}; fails when the file ends first. */
        public void readFully(ByteBuffer dst, long position) throws IOException {
            long start = position - dst.position();
            while (dst.hasRemaining()) {
                int n = channel.read(dst, start + dst.position());
                if (n < 0) throw new IOException(path + " ends before byte " + (start + dst.limit()));
            }
        }

        public TensorData region(long offset, long length) { return new FileRegion(this, offset, length, null); }

        /** A region whose bytes must have this CRC32C (TensorFlow's bundle checksum), checked at every read. */
        public TensorData region(long offset, long length, int crc32c) {
            return new FileRegion(this, offset, length, crc32c);
        }

        /**
         * The CRC32C of {@code length} bytes from {@code offset}: small regions through a small heap buffer, large ones
         * on mapped chunks, so checking a tensor never needs heap in proportion to its size.
         */
        public int crc32c(long offset, long length) throws IOException {
            CRC32C crc = new CRC32C();
            if (length >= MAP_FROM) {
                for (long pos = offset, end = offset + length; pos < end; pos += MAP_CHUNK) {
                    crc.update(map(pos, (int) Math.min(MAP_CHUNK, end - pos)));
                }
                return (int) crc.getValue();
            }
            ByteBuffer buf = ByteBuffer.allocate((int) Math.max(length, 1));
            readFully(buf.limit((int) length), offset);
            crc.update(buf.flip());
            return (int) crc.getValue();
        }

        /** {@code count} bytes from {@code pos}, mapped read-only; refused when the file no longer holds them. */
        ByteBuffer map(long pos, int count) throws IOException {
            if (pos + count > channel.size()) {
                throw new IOException(path + " ends before byte " + (pos + count) + " (it is " + channel.size() + " bytes now)");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, pos, count).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    public static final class FileRegion extends TensorData {
        private final HeldFile file;
        private final long offset;
        private final long length;
        private final Integer crc32c;
        private volatile boolean verified;

        private FileRegion(HeldFile file, long offset, long length, Integer crc32c) {
            if (offset < 0 || length < 0) throw new IllegalArgumentException("negative offset or length");
            this.file = Objects.requireNonNull(file, "file");
            this.offset = offset;
            this.length = length;
            this.crc32c = crc32c;
        }

        /** The path the file was opened at; the region reads the file opened then, not whatever the path names now. */
        public Path file() { return file.path(); }

        public long fileOffset() { return offset; }

        @Override public long size() { return length; }

        @Override
        public ByteBuffer slice(long from, int count) {
            Objects.checkFromIndexSize(from, count, length);
            long pos = offset + from;
            try {
                if (crc32c != null) return checked(from, count);
                // Small reads are copied; large ones are mapped so the page cache backs them instead of the heap.
                return count < MAP_FROM ? read(pos, count) : file.map(pos, count);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + count + " bytes at offset " + pos + " of " + file.path(), e);
            }
        }

        /**
         * A whole read is checked on the very bytes returned: a copy for small tensors, the mapped file for large ones
         * (as unchecked regions are), so that loading needs no heap for a large tensor's bytes. Partial reads (element
         * by element, chunk by chunk) check the whole region once, at the first, so that reading a tensor piecewise
         * stays linear.
         */
        private ByteBuffer checked(long from, int count) throws IOException {
            int computed;
            ByteBuffer out;
            if (from == 0 && count == length) {
                out = count < MAP_FROM ? read(offset, count) : file.map(offset, count);
                CRC32C crc = new CRC32C();
                crc.update(out.duplicate());
                computed = (int) crc.getValue();
            } else if (verified) {
                return count < MAP_FROM ? read(offset + from, count) : file.map(offset + from, count);
            } else {
                computed = file.crc32c(offset, length);
                out = read(offset + from, count);
            }
            if (computed != crc32c) {
                throw CorruptModelException.in(file.path()).offset(offset).because(String.format("the file changed since it "
                        + "was loaded: %d bytes at offset %d fail their CRC32C check (stored 0x%08x, computed 0x%08x)",
                        length, offset, crc32c, computed));
            }
            verified = true;
            return out;
        }

        private ByteBuffer read(long pos, int count) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(count);
            file.readFully(buf, pos);
            return buf.flip().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
