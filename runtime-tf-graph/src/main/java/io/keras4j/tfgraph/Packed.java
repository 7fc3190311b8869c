package io.keras4j.tfgraph;

import io.keras4j.runtime.math.PackedMatrix;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Right-hand matrices packed for the GEMM kernel, cached by the identity of their array: a variable's value (a
 * weight read by ReadVariableOp) is the same array on every call, so it is packed once; an activation's array dies
 * with its call and its entry with it.
 */
final class Packed {
    private static final Map<float[], PackedMatrix> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private Packed() {}

    static PackedMatrix of(float[] b, int k, int n) {
        PackedMatrix p = CACHE.get(b);
        if (p != null && p.rows() == k && p.columns() == n) return p;
        p = PackedMatrix.of(b, k, n);
        CACHE.put(b, p);
        return p;
    }
}
