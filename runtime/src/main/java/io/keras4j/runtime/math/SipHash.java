package io.keras4j.runtime.math;

/**
 * SipHash-2-4 with a 128-bit key given as two 64-bit words: TensorFlow's {@code StrongKeyedHash} (highwayhash's
 * SipHash), which {@code StringToHashBucketStrong} and Keras's salted Hashing layer bucket strings by, so it must be
 * exact (little-endian words, the length in the last word's top byte).
 */
public final class SipHash {
    private SipHash() {}

    public static long hash24(long k0, long k1, byte[] s) {
        long v0 = 0x736f6d6570736575L ^ k0, v1 = 0x646f72616e646f6dL ^ k1;
        long v2 = 0x6c7967656e657261L ^ k0, v3 = 0x7465646279746573L ^ k1;
        int whole = s.length & ~7;
        for (int p = 0; p <= whole; p += 8) {
            long m;
            if (p < whole) {
                m = 0;
                for (int i = 7; i >= 0; i--) m = (m << 8) | (s[p + i] & 0xffL);
            } else {
                // The last word: the remaining bytes, the message length (mod 256) in the top byte.
                m = ((long) s.length & 0xff) << 56;
                for (int i = s.length - 1; i >= whole; i--) m |= (s[i] & 0xffL) << (8 * (i - whole));
            }
            v3 ^= m;
            for (int r = 0; r < 2; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        v2 ^= 0xff;
        for (int r = 0; r < 4; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
