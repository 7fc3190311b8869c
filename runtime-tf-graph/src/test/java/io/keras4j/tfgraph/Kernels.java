package io.keras4j.tfgraph;

import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.NodeDef;
import java.util.Map;

/** Runs one kernel of the standard op table on values, as the interpreter would, for unit tests. */
final class Kernels {
    private Kernels() {}

    static AttrValue type(int dtype) { return AttrValue.newBuilder().setTypeValue(dtype).build(); }
    static AttrValue i(long v) { return AttrValue.newBuilder().setI(v).build(); }
    static AttrValue b(boolean v) { return AttrValue.newBuilder().setB(v).build(); }

    static Val[] runAll(String op, Map<String, AttrValue> attrs, Val... in) {
        Node node = new Node(NodeDef.newBuilder().setName("test").setOp(op).putAllAttr(attrs).build(), "a unit test");
        Op kernel = OpTable.standard().get(op);
        if (kernel == null) throw new AssertionError("no kernel for " + op);
        return kernel.run(node, in, null);
    }

    static Val run(String op, Map<String, AttrValue> attrs, Val... in) { return runAll(op, attrs, in)[0]; }
}
