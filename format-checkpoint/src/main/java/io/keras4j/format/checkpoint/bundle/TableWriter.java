package io.keras4j.format.checkpoint.bundle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Writes a LevelDB-style sorted table as TensorFlow's bundle writer does: uncompressed blocks of about
 * {@link #BLOCK_SIZE} bytes with a restart point every 16 keys, an index block, an empty metaindex block and the
 * 48-byte footer with the table magic.
 */
final class TableWriter {
    static final int BLOCK_SIZE = 256 * 1024;
    private static final int RESTART_INTERVAL = 16;

    private TableWriter() {}

    /** The complete table for {@code entries}, which must be sorted by unsigned byte order of their keys. */
    static byte[] write(List<Table.Entry> entries) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        BlockBuilder index = new BlockBuilder(1);
        BlockBuilder data = new BlockBuilder(RESTART_INTERVAL);
        byte[] lastKey = null;
        for (Table.Entry e : entries) {
            data.add(e.key(), e.value());
            lastKey = e.key();
            if (data.size() >= BLOCK_SIZE) {
                index.add(lastKey, handle(writeBlock(file, data.finish())));
                data = new BlockBuilder(RESTART_INTERVAL);
            }
        }
        if (!data.isEmpty()) index.add(lastKey, handle(writeBlock(file, data.finish())));
        long[] metaindex = writeBlock(file, new BlockBuilder(1).finish());
        long[] indexHandle = writeBlock(file, index.finish());
        ByteBuffer footer = ByteBuffer.allocate(Table.FOOTER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        footer.put(handle(metaindex)).put(handle(indexHandle));
        footer.position(Table.FOOTER_SIZE - 8).putLong(Table.MAGIC);
        file.writeBytes(footer.array());
        return file.toByteArray();
    }

    private static long[] writeBlock(ByteArrayOutputStream file, byte[] block) {
        long offset = file.size();
        file.writeBytes(block);
        byte[] withType = new byte[block.length + 1];
        System.arraycopy(block, 0, withType, 0, block.length);
        withType[block.length] = Table.NO_COMPRESSION;
        int crc = Crc32c.mask(Crc32c.of(withType, 0, withType.length));
        file.write(Table.NO_COMPRESSION);
        file.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(crc).array());
        return new long[] {offset, block.length};
    }

    private static byte[] handle(long[] h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Varint.write(out, h[0]);
        Varint.write(out, h[1]);
        return out.toByteArray();
    }

    private static final class BlockBuilder {
        private final int restartInterval;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final ByteArrayOutputStream restarts = new ByteArrayOutputStream();
        private int restartCount;
        private int sinceRestart;
        private byte[] previous = new byte[0];
        private boolean empty = true;

        BlockBuilder(int restartInterval) {
            this.restartInterval = restartInterval;
            addRestart();
        }

        void add(byte[] key, byte[] value) {
            int shared = 0;
            if (sinceRestart >= restartInterval) {
                addRestart();
            } else {
                int max = Math.min(previous.length, key.length);
                while (shared < max && previous[shared] == key[shared]) shared++;
            }
            Varint.write(buf, shared);
            Varint.write(buf, key.length - shared);
            Varint.write(buf, value.length);
            buf.write(key, shared, key.length - shared);
            buf.writeBytes(value);
            previous = key;
            sinceRestart++;
            empty = false;
        }

        private void addRestart() {
            restarts.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(buf.size()).array());
            restartCount++;
            sinceRestart = 0;
        }

        int size() { return buf.size() + restarts.size() + 4; }

        boolean isEmpty() { return empty; }

        byte[] finish() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(buf.toByteArray());
            out.writeBytes(restarts.toByteArray());
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(restartCount).array());
            return out.toByteArray();
        }
    }
}
