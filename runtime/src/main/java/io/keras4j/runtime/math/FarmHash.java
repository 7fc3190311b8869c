package io.keras4j.runtime.math;

/**
 * TensorFlow's {@code Fingerprint64}: FarmHash's Fingerprint64, which is its "na" variant of Hash64, over the bytes
 * (little-endian word fetches, unsigned 64-bit arithmetic, right rotations). Keras's Hashing layer and
 * StringToHashBucketFast bucket strings by it, so it must be exact.
 */
public final class FarmHash {
    private static final long K0 = 0xc3a5c85c97cb3127L, K1 = 0xb492b66fbe98f273L, K2 = 0x9ae16a3b2f90404fL;

    private FarmHash() {}

    public static long fingerprint64(byte[] s) {
        int len = s.length;
        if (len <= 16) return hashLen0to16(s, len);
        if (len <= 32) return hashLen17to32(s, len);
        if (len <= 64) return hashLen33to64(s, len);
        long seed = 81;
        long x = seed;
        long y = seed * K1 + 113;
        long z = shiftMix(y * K2 + 113) * K2;
        long v1 = 0, v2 = 0, w1 = 0, w2 = 0;
        x = x * K2 + fetch64(s, 0);
        // Whole 64-byte blocks but the last, then the last 64 bytes (which may overlap the blocks).
        int end = ((len - 1) / 64) * 64;
        int last64 = end + ((len - 1) & 63) - 63;
        int p = 0;
        long[] pair = new long[2];
        do {
            x = Long.rotateRight(x + y + v1 + fetch64(s, p + 8), 37) * K1;
            y = Long.rotateRight(y + v2 + fetch64(s, p + 48), 42) * K1;
            x ^= w2;
            y += v1 + fetch64(s, p + 40);
            z = Long.rotateRight(z + w1, 33) * K1;
            weakHashLen32WithSeeds(s, p, v2 * K1, x + w1, pair);
            v1 = pair[0]; v2 = pair[1];
            weakHashLen32WithSeeds(s, p + 32, z + w2, y + fetch64(s, p + 16), pair);
            w1 = pair[0]; w2 = pair[1];
            long t = z; z = x; x = t;
            p += 64;
        } while (p != end);
        long mul = K1 + ((z & 0xff) << 1);
        p = last64;
        w1 += ((len - 1) & 63);
        v1 += w1;
        w1 += v1;
        x = Long.rotateRight(x + y + v1 + fetch64(s, p + 8), 37) * mul;
        y = Long.rotateRight(y + v2 + fetch64(s, p + 48), 42) * mul;
        x ^= w2 * 9;
        y += v1 * 9 + fetch64(s, p + 40);
        z = Long.rotateRight(z + w1, 33) * mul;
        weakHashLen32WithSeeds(s, p, v2 * mul, x + w1, pair);
        v1 = pair[0]; v2 = pair[1];
        weakHashLen32WithSeeds(s, p + 32, z + w2, y + fetch64(s, p + 16), pair);
        w1 = pair[0]; w2 = pair[1];
        long t = z; z = x; x = t;
        return hashLen16(hashLen16(v1, w1, mul) + shiftMix(y) * K0 + z, hashLen16(v2, w2, mul) + x, mul);
    }

    private static long fetch64(byte[] s, int p) {
        long v = 0;
        for (int k = 7; k >= 0; k--) v = (v << 8) | (s[p + k] & 0xFF);
        return v;
    }

    private static long fetch32(byte[] s, int p) {
        return (s[p] & 0xFFL) | (s[p + 1] & 0xFFL) << 8 | (s[p + 2] & 0xFFL) << 16 | (s[p + 3] & 0xFFL) << 24;
    }

    private static long shiftMix(long v) { return v ^ (v >>> 47); }

    private static long hashLen16(long u, long v, long mul) {
        long a = (u ^ v) * mul;
        a ^= (a >>> 47);
        long b = (v ^ a) * mul;
        b ^= (b >>> 47);
        return b * mul;
    }

    private static long hashLen0to16(byte[] s, int len) {
        if (len >= 8) {
            long mul = K2 + len * 2L;
            long a = fetch64(s, 0) + K2;
            long b = fetch64(s, len - 8);
            long c = Long.rotateRight(b, 37) * mul + a;
            long d = (Long.rotateRight(a, 25) + b) * mul;
            return hashLen16(c, d, mul);
        }
        if (len >= 4) {
            long mul = K2 + len * 2L;
            long a = fetch32(s, 0);
            return hashLen16(len + (a << 3), fetch32(s, len - 4), mul);
        }
        if (len > 0) {
            int a = s[0] & 0xFF, b = s[len >> 1] & 0xFF, c = s[len - 1] & 0xFF;
            long y = (a + (b << 8)) & 0xFFFFFFFFL;
            long z = (len + (c << 2)) & 0xFFFFFFFFL;
            return shiftMix(y * K2 ^ z * K0) * K2;
        }
        return K2;
    }

    private static long hashLen17to32(byte[] s, int len) {
        long mul = K2 + len * 2L;
        long a = fetch64(s, 0) * K1;
        long b = fetch64(s, 8);
        long c = fetch64(s, len - 8) * mul;
        long d = fetch64(s, len - 16) * K2;
        return hashLen16(Long.rotateRight(a + b, 43) + Long.rotateRight(c, 30) + d, a + Long.rotateRight(b + K2, 18) + c, mul);
    }

    private static void weakHashLen32WithSeeds(byte[] s, int p, long a, long b, long[] out) {
        long w = fetch64(s, p), x = fetch64(s, p + 8), y = fetch64(s, p + 16), z = fetch64(s, p + 24);
        a += w;
        b = Long.rotateRight(b + a + z, 21);
        long c = a;
        a += x;
        a += y;
        b += Long.rotateRight(a, 44);
        out[0] = a + z;
        out[1] = b + c;
    }

    private static long hashLen33to64(byte[] s, int len) {
        long mul = K2 + len * 2L;
        long a = fetch64(s, 0) * K2;
        long b = fetch64(s, 8);
        long c = fetch64(s, len - 8) * mul;
        long d = fetch64(s, len - 16) * K2;
        long y = Long.rotateRight(a + b, 43) + Long.rotateRight(c, 30) + d;
        long z = hashLen16(y, a + Long.rotateRight(b + K2, 18) + c, mul);
        long e = fetch64(s, 16) * mul;
        long f = fetch64(s, 24);
        long g = (y + fetch64(s, len - 32)) * mul;
        long h = (z + fetch64(s, len - 24)) * mul;
        return hashLen16(Long.rotateRight(e + f, 43) + Long.rotateRight(g, 30) + h, e + Long.rotateRight(f + a, 18) + g, mul);
    }
}
