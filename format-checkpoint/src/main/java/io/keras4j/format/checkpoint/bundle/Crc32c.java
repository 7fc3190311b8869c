package io.keras4j.format.checkpoint.bundle;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C as LevelDB and TensorFlow store it: "masked" so that a CRC of data holding CRCs stays well distributed. */
final class Crc32c {
    private static final int MASK_DELTA = 0xa282ead8;

    private Crc32c() {}

    static int of(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    static int of(ByteBuffer bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate());
        return (int) crc.getValue();
    }

    static int mask(int crc) { return ((crc >>> 15) | (crc << 17)) + MASK_DELTA; }

    static int unmask(int masked) {
        int rot = masked - MASK_DELTA;
        return (rot >>> 17) | (rot << 15);
    }
}
