package io.keras4j.tfgraph;

import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.NodeDef;
import io.keras4j.tf.proto.TensorShapeProto;
import java.util.List;

/** A graph node's name, op and attributes, with typed attribute getters that name the node when one is missing. */
final class Node {
    final NodeDef def;
    final String name;
    final String op;
    /** The function (or "the graph") the node belongs to, for messages. */
    final String owner;

    Node(NodeDef def, String owner) {
        this.def = def;
        this.name = def.getName();
        this.op = def.getOp();
        this.owner = owner;
    }

    boolean has(String attr) { return def.containsAttr(attr); }

    AttrValue attr(String attr) {
        AttrValue v = def.getAttrOrDefault(attr, null);
        if (v == null) throw new GraphException("attribute '" + attr + "' is missing");
        return v;
    }

    long i(String attr) { return attr(attr).getI(); }
    long i(String attr, long dflt) { return has(attr) ? attr(attr).getI() : dflt; }
    float f(String attr, float dflt) { return has(attr) ? attr(attr).getF() : dflt; }
    boolean b(String attr, boolean dflt) { return has(attr) ? attr(attr).getB() : dflt; }
    String s(String attr, String dflt) { return has(attr) ? attr(attr).getS().toStringUtf8() : dflt; }
    int type(String attr) { return attr(attr).getTypeValue(); }
    int type(String attr, int dflt) { return has(attr) ? attr(attr).getTypeValue() : dflt; }
    String func(String attr) { return attr(attr).getFunc().getName(); }

    int[] ints(String attr) {
        if (!has(attr)) return null;
        List<Long> l = attr(attr).getList().getIList();
        int[] out = new int[l.size()];
        for (int k = 0; k < out.length; k++) out[k] = Math.toIntExact(l.get(k));
        return out;
    }

    List<Integer> types(String attr) { return has(attr) ? attr(attr).getList().getTypeValueList() : List.of(); }

    /** A shape attribute; null for unknown rank, -1 for unknown dimensions. */
    int[] shape(String attr) {
        if (!has(attr)) return null;
        TensorShapeProto p = attr(attr).getShape();
        if (p.getUnknownRank()) return null;
        int[] out = new int[p.getDimCount()];
        for (int k = 0; k < out.length; k++) out[k] = (int) Math.max(-1, Math.min(Integer.MAX_VALUE, p.getDim(k).getSize()));
        return out;
    }

    String where() { return "node '" + name + "' (" + op + ") in " + owner; }

    @Override public String toString() { return where(); }
}
