package io.keras4j.format.h5.hdf5;

import io.keras4j.spi.ProbeInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the HDF5 superblock (at 0 or after a user block of 512, 1024, 2048, … bytes) and reads the names of the root
 * group's attributes and links with a handful of bounded reads, without a full HDF5 library: enough for a probe to
 * tell a Keras file from any other HDF5 file. Handles superblocks 0–3 with 8-byte addresses, version 1 and 2 object
 * headers (with continuation chunks), old-style groups (local heap names) and compact links.
 */
public final class H5Signature {
    static final byte[] MAGIC = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final long UNDEFINED = -1L;
    private static final int MAX_CHUNKS = 16;

    private H5Signature() {}

    /** What the root group shows: attribute names and link names. */
    public record Root(Set<String> attributes, Set<String> links) {}

    /** Offset of the superblock in {@code file}, or -1 when it is not an HDF5 file. */
    public static long find(Path file) {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            return find(ch);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Offset of the superblock within {@code ch} (0, 512, 1024, …), or -1. */
    static long find(SeekableByteChannel ch) throws IOException {
        long size = ch.size();
        for (long off = 0; off + MAGIC.length <= size; off = off == 0 ? 512 : off * 2) {
            ByteBuffer b = ByteBuffer.allocate(MAGIC.length);
            ch.position(off);
            while (b.hasRemaining() && ch.read(b) > 0) { /* fill */ }
            if (ProbeInput.startsWith(b.flip(), MAGIC)) return off;
        }
        return -1;
    }

    /** Offset of the superblock as a probe sees it, or -1. */
    public static long find(ProbeInput in) {
        long size = in.size();
        for (long off = 0; off + MAGIC.length <= size; off = off == 0 ? 512 : off * 2) {
            if (ProbeInput.startsWith(in.read(off, MAGIC.length), MAGIC)) return off;
        }
        return -1;
    }

    /** The root group's attribute and link names, when the structure can be followed; empty otherwise. */
    public static Optional<Root> root(ProbeInput in) {
        long base = find(in);
        if (base < 0) return Optional.empty();
        try {
            return new Walker(in, base).root();
        } catch (RuntimeException e) { // a damaged structure: the probe only learns "HDF5"
            return Optional.empty();
        }
    }

    private static final class Walker {
        private final ProbeInput in;
        private final long base;
        private final Set<String> attributes = new LinkedHashSet<>();
        private final Set<String> links = new LinkedHashSet<>();
        private int chunks;

        Walker(ProbeInput in, long base) {
            this.in = in;
            this.base = base;
        }

        Optional<Root> root() {
            ByteBuffer sb = read(base, 128);
            int version = sb.get(8) & 0xff;
            long rootHeader;
            if (version <= 1) {
                if (sb.get(13) != 8 || sb.get(14) != 8) return Optional.empty();
                int entry = version == 0 ? 24 + 32 : 28 + 32;
                rootHeader = sb.getLong(entry + 8);
                long heap = sb.getLong(entry + 32);
                if (sb.getInt(entry + 16) == 1) localHeapNames(heap);
            } else {
                if (sb.get(9) != 8 || sb.get(10) != 8) return Optional.empty();
                rootHeader = sb.getLong(12 + 24);
            }
            header(rootHeader);
            return Optional.of(new Root(Set.copyOf(attributes), Set.copyOf(links)));
        }

        private void header(long address) {
            ByteBuffer h = read(address, 16);
            if (ProbeInput.startsWith(h, new byte[] {'O', 'H', 'D', 'R'})) {
                int flags = h.get(5) & 0xff;
                int pos = 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
                int sizeBytes = 1 << (flags & 3);
                ByteBuffer sizeField = read(address + pos, sizeBytes);
                long size = sizeBytes == 1 ? sizeField.get(0) & 0xff : sizeBytes == 2 ? sizeField.getShort(0) & 0xffff
                        : sizeBytes == 4 ? sizeField.getInt(0) & 0xffffffffL : sizeField.getLong(0);
                messagesV2(address + pos + sizeBytes, size, (flags & 0x04) != 0);
            } else if (h.get(0) == 1) {
                messagesV1(address + 16, h.getInt(8) & 0xffffffffL);
            }
        }

        private void messagesV1(long start, long size) {
            if (++chunks > MAX_CHUNKS) return;
            ByteBuffer m = read(start, bounded(size));
            int p = 0;
            while (p + 8 <= m.limit()) {
                int type = m.getShort(p) & 0xffff;
                int len = m.getShort(p + 2) & 0xffff;
                if (p + 8 + len > m.limit()) break;
                message(type, m.slice(p + 8, len).order(ByteOrder.LITTLE_ENDIAN), false);
                p += 8 + len;
            }
        }

        private void messagesV2(long start, long size, boolean creationOrder) {
            if (++chunks > MAX_CHUNKS) return;
            ByteBuffer m = read(start, bounded(size));
            int headerSize = creationOrder ? 6 : 4;
            int p = 0;
            while (p + headerSize <= m.limit()) {
                int type = m.get(p) & 0xff;
                int len = m.getShort(p + 1) & 0xffff;
                if (p + headerSize + len > m.limit()) break;
                message(type, m.slice(p + headerSize, len).order(ByteOrder.LITTLE_ENDIAN), creationOrder);
                p += headerSize + len;
            }
        }

        private void message(int type, ByteBuffer d, boolean creationOrder) {
            switch (type) {
                case 0x0C -> attributeName(d);
                case 0x06 -> linkName(d);
                case 0x11 -> localHeapNames(d.getLong(8));
                case 0x10 -> {
                    long address = d.getLong(0);
                    long length = d.getLong(8);
                    ByteBuffer sig = read(address, 4);
                    if (ProbeInput.startsWith(sig, new byte[] {'O', 'C', 'H', 'K'})) messagesV2(address + 4, length - 8, creationOrder);
                    else messagesV1(address, length);
                }
                default -> { /* other messages name nothing */ }
            }
        }

        private void attributeName(ByteBuffer d) {
            int version = d.get(0) & 0xff;
            int nameSize = d.getShort(2) & 0xffff;
            int at = version == 3 ? 9 : 8;
            if (nameSize > 0 && at + nameSize <= d.limit()) attributes.add(cString(d, at, nameSize));
        }

        private void linkName(ByteBuffer d) {
            int flags = d.get(1) & 0xff;
            int p = 2;
            if ((flags & 0x08) != 0) p++;
            if ((flags & 0x04) != 0) p += 8;
            if ((flags & 0x10) != 0) p++;
            int lengthBytes = 1 << (flags & 3);
            long length = lengthBytes == 1 ? d.get(p) & 0xff : lengthBytes == 2 ? d.getShort(p) & 0xffff : d.getInt(p);
            p += lengthBytes;
            if (length > 0 && p + length <= d.limit()) links.add(cString(d, p, (int) length));
        }

        private void localHeapNames(long heap) {
            ByteBuffer h = read(heap, 32);
            if (!ProbeInput.startsWith(h, new byte[] {'H', 'E', 'A', 'P'})) return;
            long size = h.getLong(8);
            long data = h.getLong(24);
            ByteBuffer names = read(data, bounded(size));
            int start = 0;
            for (int i = 0; i < names.limit(); i++) {
                if (names.get(i) == 0) {
                    if (i > start) links.add(cString(names, start, i - start));
                    start = (i + 8) & ~7; // names are padded to 8 bytes
                    i = start - 1;
                }
            }
        }

        /**
         * A claimed size as a probe read's length: at most {@link ProbeInput#MAX_READ}. A negative long used to pass
         * {@code Math.min} and be cast to an int of up to 2 GiB, allocated before reading (Jazzer's finding).
         */
        private static int bounded(long size) {
            if (size < 0) throw new IllegalStateException("negative size " + size);
            return (int) Math.min(size, ProbeInput.MAX_READ);
        }

        private ByteBuffer read(long address, int length) {
            if (address == UNDEFINED || address < 0) throw new IllegalStateException("undefined address");
            if (length < 0 || length > ProbeInput.MAX_READ) throw new IllegalStateException("read of " + length + " bytes");
            ByteBuffer b = in.read(base + address, length).order(ByteOrder.LITTLE_ENDIAN);
            if (b.remaining() < Math.min(length, 4)) throw new IllegalStateException("short read");
            ByteBuffer padded = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            padded.put(b.duplicate());
            return padded.flip().limit(b.remaining());
        }

        private static String cString(ByteBuffer b, int at, int max) {
            int end = at;
            while (end < at + max && end < b.limit() && b.get(end) != 0) end++;
            byte[] bytes = new byte[end - at];
            b.get(at, bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
