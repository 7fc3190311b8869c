package io.keras4j.format.checkpoint.bundle;

import java.io.ByteArrayOutputStream;

/** Unsigned LEB128 varints as protobuf and LevelDB write them. */
final class Varint {
    private Varint() {}

    static void write(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
