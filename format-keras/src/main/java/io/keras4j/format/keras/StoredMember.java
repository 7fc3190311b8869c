package io.keras4j.format.keras;

import io.keras4j.CorruptModelException;
import io.keras4j.tensor.TensorData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Where the bytes of an uncompressed ({@code ZIP_STORED}) zip member lie in the archive, so that they can be read in
 * place. Follows the end-of-central-directory record to the member's central entry and then to its local header
 * (30 bytes + name + extra field); every offset and size is checked against the archive before it is used.
 *
 * @param dataOffset where the member's bytes start in the archive
 * @param size how many bytes the member holds
 * @param crc32 the member's CRC-32 as the central directory records it
 */
record StoredMember(long dataOffset, long size, int crc32) {
    private static final int EOCD_SIGNATURE = 0x06054b50;
    private static final int CENTRAL_SIGNATURE = 0x02014b50;
    private static final int LOCAL_SIGNATURE = 0x04034b50;
    private static final int EOCD_SIZE = 22;
    private static final int MAX_COMMENT = 0xFFFF;
    private static final int CENTRAL_SIZE = 46;
    private static final int LOCAL_SIZE = 30;
    private static final long ZIP64 = 0xFFFFFFFFL;
    private static final int MAX_CENTRAL_DIRECTORY = 16 << 20;
    private static final int STORED = 0;

    /**
     * The stored member {@code name} of {@code archive}; empty when it is compressed, absent, or described only by
     * zip64 records (the caller then extracts it).
     */
    static Optional<StoredMember> locate(TensorData.HeldFile held, String name) {
        Path archive = held.path();
        try {
            return new Locator(archive, held).find(name.getBytes(StandardCharsets.UTF_8), name);
        } catch (IOException e) {
            throw CorruptModelException.in(archive).codec(KerasArchive.CODEC).at(name).cause(e)
                    .because("cannot read the zip structure: " + e.getMessage());
        }
    }

    private static final class Locator {
        private final Path archive;
        private final TensorData.HeldFile ch;
        private final long size;

        Locator(Path archive, TensorData.HeldFile ch) throws IOException {
            this.archive = archive;
            this.ch = ch;
            this.size = ch.size();
        }

        Optional<StoredMember> find(byte[] wanted, String name) throws IOException {
            ByteBuffer eocd = endOfCentralDirectory();
            long directorySize = Integer.toUnsignedLong(eocd.getInt(12));
            long directoryOffset = Integer.toUnsignedLong(eocd.getInt(16));
            if (directorySize == ZIP64 || directoryOffset == ZIP64) return Optional.empty();
            if (directorySize > MAX_CENTRAL_DIRECTORY || directoryOffset + directorySize > size) {
                throw corrupt(null, directoryOffset, "the central directory (" + directorySize + " bytes at offset "
                        + directoryOffset + ") overruns the archive's " + size + " bytes");
            }
            ByteBuffer dir = read(directoryOffset, (int) directorySize);
            while (dir.remaining() >= CENTRAL_SIZE) {
                int at = dir.position();
                if (dir.getInt(at) != CENTRAL_SIGNATURE) throw corrupt(null, directoryOffset + at, "bad central directory entry");
                int nameLength = Short.toUnsignedInt(dir.getShort(at + 28));
                int next = at + CENTRAL_SIZE + nameLength + Short.toUnsignedInt(dir.getShort(at + 30))
                        + Short.toUnsignedInt(dir.getShort(at + 32));
                if (next > dir.limit()) throw corrupt(null, directoryOffset + at, "central directory entry overruns the directory");
                byte[] entryName = new byte[nameLength];
                dir.get(at + CENTRAL_SIZE, entryName);
                if (Arrays.equals(entryName, wanted)) return member(dir, at, wanted, name);
                dir.position(next);
            }
            return Optional.empty();
        }

        private Optional<StoredMember> member(ByteBuffer dir, int at, byte[] wanted, String name) throws IOException {
            if (Short.toUnsignedInt(dir.getShort(at + 10)) != STORED) return Optional.empty();
            long compressed = Integer.toUnsignedLong(dir.getInt(at + 20));
            long uncompressed = Integer.toUnsignedLong(dir.getInt(at + 24));
            long localOffset = Integer.toUnsignedLong(dir.getInt(at + 42));
            if (compressed == ZIP64 || uncompressed == ZIP64 || localOffset == ZIP64) return Optional.empty();
            if (compressed != uncompressed) {
                throw corrupt(name, localOffset, "a stored member of " + compressed + " bytes claims " + uncompressed + " uncompressed");
            }
            if (localOffset > size - LOCAL_SIZE) throw corrupt(name, localOffset, "local header lies beyond the archive");
            ByteBuffer local = read(localOffset, LOCAL_SIZE);
            int nameLength = Short.toUnsignedInt(local.getShort(26));
            if (local.getInt(0) != LOCAL_SIGNATURE || nameLength != wanted.length
                    || !Arrays.equals(read(localOffset + LOCAL_SIZE, nameLength).array(), wanted)) {
                throw corrupt(name, localOffset, "the local header does not match the central directory");
            }
            long dataOffset = localOffset + LOCAL_SIZE + nameLength + Short.toUnsignedInt(local.getShort(28));
            if (dataOffset + compressed > size) {
                throw corrupt(name, dataOffset, "member of " + compressed + " bytes overruns the archive's " + size + " bytes");
            }
            return Optional.of(new StoredMember(dataOffset, compressed, dir.getInt(at + 16)));
        }

        /** The record ends the file, after a comment of at most 64 KiB; search backwards for its signature. */
        private ByteBuffer endOfCentralDirectory() throws IOException {
            int tail = (int) Math.min(size, EOCD_SIZE + MAX_COMMENT);
            long tailStart = size - tail;
            ByteBuffer b = read(tailStart, tail);
            for (int at = tail - EOCD_SIZE; at >= 0; at--) {
                if (b.getInt(at) == EOCD_SIGNATURE) return read(tailStart + at, EOCD_SIZE);
            }
            throw corrupt(null, size, "no end-of-central-directory record");
        }

        private ByteBuffer read(long offset, int length) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            ch.readFully(b, offset);
            return b.flip();
        }

        private CorruptModelException corrupt(String at, long offset, String why) {
            return CorruptModelException.in(archive).codec(KerasArchive.CODEC).at(at).offset(offset).because(why);
        }
    }
}
