package io.keras4j.tfgraph;

/** The kernel of one TensorFlow op: computes the node's outputs from its inputs and attributes. */
interface Op {
    Val[] run(Node node, Val[] in, Exec exec);

    /** Whether the op's outputs depend on nothing but its inputs, so that constant inputs fold it at load. */
    default boolean pure() { return true; }

    /**
     * Where output argument {@code arg} starts among the node's flat outputs (function bodies name outputs
     * {@code node:arg:index}). Ops with one output argument keep the default.
     */
    default int outputOffset(Node node, String arg) { return 0; }

    /** An op with one output argument and no state. */
    interface Simple extends Op {
        Val run1(Node node, Val[] in);

        @Override default Val[] run(Node node, Val[] in, Exec exec) { return new Val[] {run1(node, in)}; }
    }

    /**
     * An elementwise op that can write its result into its first input's array. The plan asks it to only where that
     * array is a temporary no one else reads (see {@link Plan}); the op still allocates when shapes or dtypes differ.
     */
    interface InPlace extends Simple {
        Val runInPlace(Node node, Val[] in);
    }

    /** {@code plain} as an op that can also run in place as {@code inPlace}. */
    static Op inPlace(Simple plain, Simple inPlace) {
        return new InPlace() {
            @Override public Val run1(Node node, Val[] in) { return plain.run1(node, in); }
            @Override public Val runInPlace(Node node, Val[] in) { return inPlace.run1(node, in); }
        };
    }

    static Op stateful(Op op) {
        return new Op() {
            @Override public Val[] run(Node node, Val[] in, Exec exec) { return op.run(node, in, exec); }
            @Override public boolean pure() { return false; }
        };
    }

    /** An op whose output arguments are {@code names}, one tensor each. */
    static Op named(Op op, String... names) {
        return new Op() {
            @Override public Val[] run(Node node, Val[] in, Exec exec) { return op.run(node, in, exec); }
            @Override public boolean pure() { return op.pure(); }
            @Override public int outputOffset(Node node, String arg) {
                for (int k = 0; k < names.length; k++) if (names[k].equals(arg)) return k;
                throw new GraphException("op has no output '" + arg + "'");
            }
        };
    }
}
