package io.keras4j.tfgraph;

/**
 * TensorFlow's Philox4x32-10 counter-based generator (tsl/lib/random/philox_random.h): a 64-bit key and a 128-bit
 * counter; each call returns four 32-bit words and advances the counter by one. Mutable, so callers copy it before
 * skipping ahead.
 */
final class Philox {
    private static final int W32A = 0x9E3779B9, W32B = 0xBB67AE85;
    private static final long M4x32A = 0xD2511F53L, M4x32B = 0xCD9E8D57L;

    private int k0, k1;
    private int c0, c1, c2, c3;

    /** A generator at {@code counter} (two 64-bit words, low first) under {@code key}, as the V2 ops read them. */
    Philox(long key, long counterLo, long counterHi) {
        k0 = (int) key;
        k1 = (int) (key >>> 32);
        c0 = (int) counterLo;
        c1 = (int) (counterLo >>> 32);
        c2 = (int) counterHi;
        c3 = (int) (counterHi >>> 32);
    }

    Philox copy() { return new Philox(key(), counterLo(), counterHi()); }

    long key() { return (k0 & 0xFFFFFFFFL) | (long) k1 << 32; }
    long counterLo() { return (c0 & 0xFFFFFFFFL) | (long) c1 << 32; }
    long counterHi() { return (c2 & 0xFFFFFFFFL) | (long) c3 << 32; }

    /**
     * The generator the stateless ops derive from a two-element seed (GenerateKey in stateless_random_ops.cc): the
     * seeds, scrambled by one Philox call under a fixed key, become the key and the counter's upper half.
     */
    static Philox fromSeed(long seed0, long seed1) {
        Philox scramble = new Philox(0x02461e29_3ec8f720L, seed0, seed1);
        int[] mix = scramble.next();
        return new Philox((mix[0] & 0xFFFFFFFFL) | (long) mix[1] << 32, 0, (mix[2] & 0xFFFFFFFFL) | (long) mix[3] << 32);
    }

    /** Four random 32-bit words; the counter moves on by one. */
    int[] next() {
        int x0 = c0, x1 = c1, x2 = c2, x3 = c3;
        int a = k0, b = k1;
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                a += W32A;
                b += W32B;
            }
            long p0 = M4x32A * (x0 & 0xFFFFFFFFL);
            long p1 = M4x32B * (x2 & 0xFFFFFFFFL);
            int y0 = (int) (p1 >>> 32) ^ x1 ^ a;
            int y1 = (int) p1;
            int y2 = (int) (p0 >>> 32) ^ x3 ^ b;
            int y3 = (int) p0;
            x0 = y0; x1 = y1; x2 = y2; x3 = y3;
        }
        skip(1);
        return new int[] {x0, x1, x2, x3};
    }

    /**
     * Advances the counter by {@code count} (an unsigned 64-bit number) word by word as TensorFlow's Skip does,
     * including its one lost carry (when the low word carries into a high word of all ones).
     */
    void skip(long count) {
        int countLo = (int) count;
        int countHi = (int) (count >>> 32);
        c0 += countLo;
        if (Integer.compareUnsigned(c0, countLo) < 0) ++countHi;
        c1 += countHi;
        if (Integer.compareUnsigned(c1, countHi) < 0 && ++c2 == 0) ++c3;
    }
}
