package io.keras4j.tfgraph;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The kernels the interpreter has, by TensorFlow op name. Immutable; built once from the op groups. */
final class OpTable {
    private static final OpTable STANDARD = build();

    private final Map<String, Op> ops;

    private OpTable(Map<String, Op> ops) { this.ops = Map.copyOf(ops); }

    static OpTable standard() { return STANDARD; }

    Op get(String op) { return ops.get(op); }

    Set<String> names() { return new TreeSet<>(ops.keySet()); }

    private static OpTable build() {
        Map<String, Op> m = new HashMap<>();
        CoreOps.register(m);
        MathOps.register(m);
        ArrayOps.register(m);
        NnOps.register(m);
        RandomOps.register(m);
        MiscOps.register(m);
        return new OpTable(m);
    }

    /** Registers {@code op} under {@code name}, refusing a second kernel for one name (a slip between groups). */
    static void put(Map<String, Op> m, String name, Op op) {
        if (m.putIfAbsent(name, op) != null) throw new IllegalStateException("two kernels for " + name);
    }
}
