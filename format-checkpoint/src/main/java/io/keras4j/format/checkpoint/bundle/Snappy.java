package io.keras4j.format.checkpoint.bundle;

import java.io.IOException;

/**
 * A minimal decoder of raw Snappy blocks (format_description.txt of google/snappy), enough for LevelDB-style
 * table blocks that a writer compressed (compression type 1). TensorFlow's own bundle writer does not compress,
 * so this is only for foreign writers. Every length is checked before it is used.
 */
final class Snappy {
    /** Snappy cannot expand more than this per input byte (a 3-byte copy element emits at most 64 bytes). */
    private static final long MAX_EXPANSION = 22;

    private Snappy() {}

    static byte[] decompress(byte[] in, int offset, int length) throws IOException {
        int end = offset + length;
        int pos = offset;
        long expected = 0;
        for (int shift = 0; ; shift += 7) {
            if (pos >= end || shift > 28) throw new IOException("snappy: bad uncompressed length");
            int b = in[pos++] & 0xff;
            expected |= (long) (b & 0x7f) << shift;
            if (b < 0x80) break;
        }
        if (expected > (long) length * MAX_EXPANSION + 64 || expected > Integer.MAX_VALUE - 8) {
            throw new IOException("snappy: claimed length " + expected + " cannot come from " + length + " bytes");
        }
        byte[] out = new byte[(int) expected];
        int op = 0;
        while (pos < end) {
            int tag = in[pos++] & 0xff;
            int kind = tag & 3;
            if (kind == 0) {
                int len = tag >>> 2;
                if (len >= 60) {
                    int bytes = len - 59;
                    if (pos + bytes > end) throw new IOException("snappy: truncated literal length");
                    len = 0;
                    for (int i = 0; i < bytes; i++) len |= (in[pos++] & 0xff) << (8 * i);
                }
                long n = (len & 0xffffffffL) + 1;
                if (n > end - pos || n > out.length - op) throw new IOException("snappy: literal overruns its buffer");
                System.arraycopy(in, pos, out, op, (int) n);
                pos += (int) n;
                op += (int) n;
                continue;
            }
            int len;
            int distance;
            if (kind == 1) {
                if (pos >= end) throw new IOException("snappy: truncated copy");
                len = 4 + ((tag >>> 2) & 7);
                distance = ((tag >>> 5) << 8) | (in[pos++] & 0xff);
            } else {
                int bytes = kind == 2 ? 2 : 4;
                if (pos + bytes > end) throw new IOException("snappy: truncated copy");
                len = (tag >>> 2) + 1;
                distance = 0;
                for (int i = 0; i < bytes; i++) distance |= (in[pos++] & 0xff) << (8 * i);
            }
            if (distance <= 0 || distance > op || len > out.length - op) {
                throw new IOException("snappy: copy of " + len + " bytes from distance " + distance + " at output " + op);
            }
            // Byte by byte on purpose: copies may overlap their own output (run-length style).
            for (int i = 0; i < len; i++, op++) out[op] = out[op - distance];
        }
        if (op != out.length) throw new IOException("snappy: produced " + op + " bytes, header claimed " + out.length);
        return out;
    }
}
