package io.keras4j.format.checkpoint.bundle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * String tensors as TensorFlow's WriteStringTensor stores them (tensorflow/core/util/tensor_bundle/tensor_bundle.cc):
 * {@code [varint64 len]... [masked crc32c of the lengths] [bytes]...}. The CRCs cover each length as a little-endian
 * uint32 (uint64 past 4 GiB), not the varint bytes; the entry's CRC then extends over the length checksum and the
 * string bytes.
 */
final class StringTensors {
    private StringTensors() {}

    record Encoded(byte[] bytes, int crc) {}

    static Encoded encode(List<byte[]> strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CRC32C crc = new CRC32C();
        for (byte[] s : strings) {
            Varint.write(out, s.length);
            updateWithLength(crc, s.length);
        }
        byte[] lengthsCrc = littleEndian(Crc32c.mask((int) crc.getValue()));
        out.writeBytes(lengthsCrc);
        crc.update(lengthsCrc);
        for (byte[] s : strings) {
            out.writeBytes(s);
            crc.update(s);
        }
        return new Encoded(out.toByteArray(), (int) crc.getValue());
    }

    /** Decodes {@code count} strings; a message says what is wrong when the bytes or either checksum do not fit. */
    static List<byte[]> decode(ByteBuffer bytes, int count, int expectedCrc) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        long[] lengths = new long[count];
        long total = 0;
        int pos = 0;
        for (int i = 0; i < count; i++) {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                if (pos >= b.limit() || shift > 63) throw new IllegalArgumentException("string length " + i + " is cut off");
                int x = b.get(pos++) & 0xff;
                v |= (long) (x & 0x7f) << shift;
                if (x < 0x80) break;
            }
            if (v < 0 || v > b.limit()) throw new IllegalArgumentException("string " + i + " claims " + v + " bytes");
            lengths[i] = v;
            total += v;
            updateWithLength(crc, v);
        }
        if (pos + 4L + total != b.limit()) {
            throw new IllegalArgumentException("string lengths add up to " + (pos + 4L + total) + " bytes, the entry has " + b.limit());
        }
        int storedLengthsCrc = b.getInt(pos);
        if (storedLengthsCrc != Crc32c.mask((int) crc.getValue())) {
            throw new IllegalArgumentException("the string lengths fail their CRC32C check");
        }
        crc.update(b.duplicate().position(pos).limit(pos + 4));
        pos += 4;
        List<byte[]> out = new ArrayList<>(count);
        for (long len : lengths) {
            byte[] s = new byte[(int) len];
            b.get(pos, s);
            crc.update(s);
            pos += (int) len;
            out.add(s);
        }
        if ((int) crc.getValue() != expectedCrc) {
            throw new IllegalArgumentException(String.format("string tensor fails its CRC32C check (stored 0x%08x, computed 0x%08x)",
                    expectedCrc, (int) crc.getValue()));
        }
        return out;
    }

    private static void updateWithLength(CRC32C crc, long length) {
        ByteBuffer le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(length);
        crc.update(le.array(), 0, length <= 0xffffffffL ? 4 : 8);
    }

    private static byte[] littleEndian(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
