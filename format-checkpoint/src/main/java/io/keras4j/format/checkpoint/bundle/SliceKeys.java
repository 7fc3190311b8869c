package io.keras4j.format.checkpoint.bundle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The key under which a part of a partitioned variable is stored: TensorFlow's {@code EncodeTensorNameSlice}
 * (tensorflow/core/util/saved_tensor_slice_util.cc), built from {@code OrderedCode}: a 0, the escaped name, the
 * rank, then each dimension's start and length as sign-aware order-preserving numbers.
 */
final class SliceKeys {
    private SliceKeys() {}

    static byte[] encode(String name, BundleEntry.Slice slice) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeNumIncreasing(out, 0);
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            out.write(b);
            if (b == 0) out.write(0xff);
            else if (b == (byte) 0xff) out.write(0x00);
        }
        out.write(0x00);
        out.write(0x01);
        writeNumIncreasing(out, slice.rank());
        long[] starts = slice.starts();
        long[] lengths = slice.lengths();
        for (int d = 0; d < slice.rank(); d++) {
            writeSignedNumIncreasing(out, starts[d]);
            writeSignedNumIncreasing(out, lengths[d]);
        }
        return out.toByteArray();
    }

    /** A length byte, then the value's big-endian bytes without leading zeros. */
    private static void writeNumIncreasing(ByteArrayOutputStream out, long value) {
        int n = value == 0 ? 0 : 8 - Long.numberOfLeadingZeros(value) / 8;
        out.write(n);
        for (int i = n - 1; i >= 0; i--) out.write((int) (value >>> (8 * i)));
    }

    /**
     * OrderedCode::WriteSignedNumIncreasing: a length of L bytes holds 7L-1 bits of magnitude; the leading bits of the
     * first (and for L > 8 the second) byte encode L, XOR-ed into the two's-complement value.
     */
    private static void writeSignedNumIncreasing(ByteArrayOutputStream out, long value) {
        long x = value < 0 ? ~value : value;
        if (x < 64) {
            out.write((int) (0x80 ^ value) & 0xff);
            return;
        }
        int bits = 64 - Long.numberOfLeadingZeros(x);
        int len = (bits + 1 + 6) / 7; // smallest L with 7L - 1 >= bits
        byte[] buf = new byte[10];
        byte sign = value < 0 ? (byte) 0xff : 0;
        buf[0] = sign;
        buf[1] = sign;
        for (int i = 0; i < 8; i++) buf[2 + i] = (byte) (value >>> (56 - 8 * i));
        int begin = 10 - len;
        int[] header = header(len);
        buf[begin] ^= (byte) header[0];
        buf[begin + 1] ^= (byte) header[1];
        out.write(buf, begin, len);
    }

    /** kLengthToHeaderBits of OrderedCode: L leading one bits, then a zero. */
    private static int[] header(int len) {
        if (len <= 8) return new int[] {(0xff00 >>> len) & 0xff, 0};
        return new int[] {0xff, (0xff00 >>> (len - 8)) & 0xff};
    }
}
