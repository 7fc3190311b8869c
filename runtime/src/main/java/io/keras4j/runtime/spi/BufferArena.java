package io.keras4j.runtime.spi;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Float arrays reused from one predict call to the next, so a call does not ask the JVM for (and zero) fresh arrays
 * for every layer output: MobileNetV2 at batch 32 allocated about 490 MB per call, most of it convolution outputs
 * that the next layers read once and drop.
 *
 * <p>An array goes back to the arena only when nothing can still see it: the graph executor counts, per array the
 * arena lent in this call, how many value slots hold it ({@link #retain}, {@link #release}), so an array shared by a
 * reshaped view, by a nested graph's input or by a model output is never reused. Arrays a call returns to its caller
 * are forgotten at {@link #finishCall}; the arena never touches them again.
 *
 * <p>One arena serves one call at a time (the runtime keeps one per concurrent call); its methods are synchronized
 * only because a layer may ask for a buffer from a worker thread. Arrays are kept by exact length, and a length the
 * last call did not ask for is dropped when it finishes, so the arena holds at most one call's working set.
 *
 * <p>With {@code -Dkeras4j.arena.poison=true} (the test suites set it) every array lent without zeroing is first
 * filled with NaN, so a layer that leaves part of its output unwritten fails its comparison with Keras instead of
 * passing on stale or zero memory.
 */
public final class BufferArena {
    private final boolean poison;
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    /** Arrays lent in this call, each with the number of value slots holding it. */
    private final IdentityHashMap<float[], int[]> lent = new IdentityHashMap<>();
    private final Set<Integer> lengthsAsked = new HashSet<>();
    private int created;

    /** An arena that poisons undefined buffers when the system property {@code keras4j.arena.poison} is true. */
    public BufferArena() { this(Boolean.getBoolean("keras4j.arena.poison")); }

    private BufferArena(boolean poison) { this.poison = poison; }

    /** An arena that fills every buffer lent without zeroing with NaN: for tests of layer implementations. */
    public static BufferArena poisoning() { return new BufferArena(true); }

    /** An array whose contents are undefined (NaN when poisoning): the caller must write every element. */
    public synchronized float[] take(int length) {
        float[] a = reuse(length);
        if (a == null) a = fresh(length);
        if (poison) Arrays.fill(a, Float.NaN);
        lent.put(a, new int[1]);
        return a;
    }

    /** An array of zeros. */
    public synchronized float[] takeZeroed(int length) {
        float[] a = reuse(length);
        if (a == null) a = fresh(length);
        else Arrays.fill(a, 0f);
        lent.put(a, new int[1]);
        return a;
    }

    private float[] fresh(int length) {
        created++;
        return new float[length];
    }

    private float[] reuse(int length) {
        lengthsAsked.add(length);
        ArrayDeque<float[]> q = free.get(length);
        return q == null ? null : q.pollLast();
    }

    /** One more value slot holds {@code data}; arrays the arena did not lend this call are ignored. */
    public synchronized void retain(float[] data) {
        int[] holders = lent.get(data);
        if (holders != null) holders[0]++;
    }

    /** A value slot dropped {@code data}; when no slot holds it any more it can be lent again. */
    public synchronized void release(float[] data) {
        int[] holders = lent.get(data);
        if (holders == null || --holders[0] > 0) return;
        lent.remove(data);
        free.computeIfAbsent(data.length, k -> new ArrayDeque<>()).add(data);
    }

    /** Ends a call: arrays still lent (the outputs, arrays held outside slots) are forgotten; unasked lengths dropped. */
    public synchronized void finishCall() {
        lent.clear();
        free.keySet().retainAll(lengthsAsked);
        lengthsAsked.clear();
    }

    /** Arrays waiting to be lent again, for tests. */
    public synchronized int freeArrays() { return free.values().stream().mapToInt(ArrayDeque::size).sum(); }

    /** Arrays this arena has allocated because none was free, over its life, for tests. */
    public synchronized int arraysCreated() { return created; }
}
