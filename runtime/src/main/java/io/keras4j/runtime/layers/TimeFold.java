package io.keras4j.runtime.layers;

import java.util.Arrays;

/**
 * Folding a sequence {@code [batch, time, rest...]} into frames {@code [batch * time, rest...]} so a per-frame
 * layer runs on all steps at once, and unfolding a per-frame result back. Row-major data keeps its order, so both
 * are reshapes.
 */
final class TimeFold {
    private TimeFold() {}

    /** The frames' shape; -1 when batch or time is unknown. */
    static long[] fold(long[] sequence) {
        long[] out = new long[sequence.length - 1];
        out[0] = sequence[0] < 0 || sequence[1] < 0 ? -1 : sequence[0] * sequence[1];
        System.arraycopy(sequence, 2, out, 1, sequence.length - 2);
        return out;
    }

    static int[] fold(int[] sequence) { return ints(fold(longs(sequence))); }

    /** {@code [batch, time]} of {@code sequence} followed by the axes of {@code frame} after its first. */
    static long[] unfold(long[] sequence, long[] frame) {
        long[] out = new long[frame.length + 1];
        out[0] = sequence[0];
        out[1] = sequence[1];
        System.arraycopy(frame, 1, out, 2, frame.length - 1);
        return out;
    }

    static int[] unfold(int[] sequence, int[] frame) { return ints(unfold(longs(sequence), longs(frame))); }

    private static long[] longs(int[] shape) { return Arrays.stream(shape).asLongStream().toArray(); }

    private static int[] ints(long[] shape) { return Arrays.stream(shape).mapToInt(d -> (int) d).toArray(); }
}
