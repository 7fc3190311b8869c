package io.keras4j.format.checkpoint.bundle;

import io.keras4j.CorruptModelException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a whole LevelDB-style sorted table (the {@code .index} file of a bundle): footer, index block, data blocks
 * with their prefix-compressed keys, restart arrays and masked CRC32C trailers. Blocks may be raw or Snappy-compressed.
 * A bundle index is small (one entry per tensor), so all entries are decoded at once.
 */
final class Table {
    static final long MAGIC = 0xdb4775248b80fb57L;
    static final int FOOTER_SIZE = 48;
    static final int TRAILER_SIZE = 5;
    static final byte NO_COMPRESSION = 0;
    static final byte SNAPPY = 1;

    /** One key/value pair; keys are raw bytes (sliced-variable keys are binary). */
    record Entry(byte[] key, byte[] value) {}

    private final Path file;
    private final byte[] bytes;

    private Table(Path file, byte[] bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /** Decodes every entry of the table held in {@code bytes} (the complete {@code .index} file). */
    static List<Entry> read(Path file, byte[] bytes) {
        return new Table(file, bytes).entries();
    }

    private List<Entry> entries() {
        if (bytes.length < FOOTER_SIZE) {
            throw corrupt(0).because("the index is " + bytes.length + " bytes, shorter than a table footer (" + FOOTER_SIZE + ")");
        }
        int footer = bytes.length - FOOTER_SIZE;
        long magic = ByteBuffer.wrap(bytes, bytes.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (magic != MAGIC) {
            throw corrupt(bytes.length - 8).because(String.format("bad table magic 0x%016x (expected 0x%016x): not a "
                    + "TensorFlow checkpoint index, or a truncated one", magic, MAGIC));
        }
        Cursor c = new Cursor(footer, footer + FOOTER_SIZE - 8);
        c.handle(); // metaindex: TensorFlow writes none that matter (no filters)
        long[] index = c.handle();
        List<Entry> out = new ArrayList<>();
        for (Entry handleEntry : block(index[0], index[1], "index block")) {
            Cursor h = new Cursor(0, handleEntry.value().length, handleEntry.value());
            long[] data = h.handle();
            out.addAll(block(data[0], data[1], "data block at " + data[0]));
        }
        return out;
    }

    private List<Entry> block(long offset, long size, String what) {
        // Compared as "offset > room - size" so an offset near Long.MAX_VALUE cannot overflow past the check.
        if (offset < 0 || size < 0 || size > bytes.length || offset > (long) bytes.length - FOOTER_SIZE - TRAILER_SIZE - size) {
            throw corrupt(offset).because(what + " of " + size + " bytes at " + offset + " lies outside the "
                    + bytes.length + "-byte index");
        }
        int off = (int) offset;
        int len = (int) size;
        byte type = bytes[off + len];
        int stored = ByteBuffer.wrap(bytes, off + len + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int actual = Crc32c.mask(Crc32c.of(bytes, off, len + 1));
        if (stored != actual) {
            throw corrupt(offset).because(String.format("%s fails its CRC32C check (stored 0x%08x, computed 0x%08x)",
                    what, stored, actual));
        }
        byte[] content;
        int start;
        if (type == NO_COMPRESSION) {
            content = bytes;
            start = off;
        } else if (type == SNAPPY) {
            try {
                content = Snappy.decompress(bytes, off, len);
            } catch (IOException e) {
                throw corrupt(offset).cause(e).because(what + ": " + e.getMessage());
            }
            start = 0;
            len = content.length;
        } else {
            throw corrupt(offset + size).because(what + " uses compression type " + type + " (only none and snappy exist)");
        }
        return parseBlock(content, start, len, offset, what);
    }

    private List<Entry> parseBlock(byte[] b, int start, int len, long fileOffset, String what) {
        if (len < 4) throw corrupt(fileOffset).because(what + " is too short (" + len + " bytes) for its restart count");
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long restarts = le.getInt(start + len - 4) & 0xffffffffL;
        long entriesEnd = len - 4 - restarts * 4;
        if (restarts == 0 || entriesEnd < 0) {
            throw corrupt(fileOffset).because(what + " claims " + restarts + " restart points in " + len + " bytes");
        }
        Cursor c = new Cursor(start, start + (int) entriesEnd, b);
        List<Entry> out = new ArrayList<>();
        byte[] previous = new byte[0];
        while (c.pos < c.end) {
            long entryAt = fileOffset + (c.pos - start);
            int shared = c.varint32();
            int unshared = c.varint32();
            int valueLength = c.varint32();
            if (shared > previous.length || unshared > c.end - c.pos || valueLength > c.end - c.pos - unshared) {
                throw corrupt(entryAt).because(what + " has an entry (shared " + shared + ", unshared " + unshared
                        + ", value " + valueLength + ") that overruns the block");
            }
            byte[] key = new byte[shared + unshared];
            System.arraycopy(previous, 0, key, 0, shared);
            System.arraycopy(b, c.pos, key, shared, unshared);
            c.pos += unshared;
            byte[] value = new byte[valueLength];
            System.arraycopy(b, c.pos, value, 0, valueLength);
            c.pos += valueLength;
            out.add(new Entry(key, value));
            previous = key;
        }
        return out;
    }

    private CorruptModelException.Builder corrupt(long offset) {
        return CorruptModelException.in(file).codec("checkpoint").offset(offset);
    }

    /** Reads varints within [pos, end) and fails with the place when they run out. */
    private final class Cursor {
        private final byte[] b;
        private int pos;
        private final int end;

        Cursor(int pos, int end) { this(pos, end, bytes); }

        Cursor(int pos, int end, byte[] b) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        long varint64() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) throw corrupt(pos).because("a varint runs past the end of its block");
                int x = b[pos++] & 0xff;
                v |= (long) (x & 0x7f) << shift;
                if (x < 0x80) return v;
            }
            throw corrupt(pos).because("a varint is longer than 10 bytes");
        }

        int varint32() {
            long v = varint64();
            if (v < 0 || v > Integer.MAX_VALUE) throw corrupt(pos).because("a length of " + v + " bytes in a table block");
            return (int) v;
        }

        long[] handle() { return new long[] {varint64(), varint64()}; }
    }
}
