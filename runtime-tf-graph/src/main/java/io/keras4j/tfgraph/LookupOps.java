package io.keras4j.tfgraph;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Static hash tables (HashTableV2 filled by LookupTableImportV2 or InitializeTableV2, read by LookupTableFindV2 and
 * LookupTableSizeV2), as StringLookup and IntegerLookup export them: the SavedModel's init op fills each table once
 * at load, the signatures look keys up. A table lives in the model's {@link Exec} as the value of a resource named
 * after its shared name, so the init op's and the signatures' HashTableV2 nodes reach the same table.
 */
final class LookupOps {
    private LookupOps() {}

    /** One table: keys and values of fixed dtypes, keys held as {@link #key} makes them comparable. */
    record Table(int keyDtype, int valueDtype, Map<Object, Object> entries) {}

    static void register(Map<String, Op> m) {
        OpTable.put(m, "HashTableV2", Op.stateful((n, in, e) -> {
            String shared = n.s("shared_name", "");
            // Without a shared name TensorFlow gives each node its own table; the node's name and function say which.
            String name = shared.isEmpty() ? n.owner + "/" + n.name : shared;
            Exec.Variable v = e.variable(n.s("container", ""), "lookup table " + name);
            synchronized (v) {
                if (v.value == null) v.value = Val.object(DTypes.VARIANT, new Table(n.type("key_dtype"), n.type("value_dtype"), new ConcurrentHashMap<>()));
            }
            return new Val[] {Val.object(DTypes.RESOURCE, v)};
        }));
        Op fill = Op.stateful((n, in, e) -> {
            insert(table(in[0]), in[1], in[2]);
            return new Val[0];
        });
        OpTable.put(m, "LookupTableImportV2", fill);
        OpTable.put(m, "InitializeTableV2", fill);
        OpTable.put(m, "LookupTableFindV2", Op.stateful((n, in, e) -> new Val[] {find(table(in[0]), in[1], in[2])}));
        OpTable.put(m, "LookupTableSizeV2", Op.stateful((n, in, e) -> new Val[] {Val.longs(new long[] {table(in[0]).entries().size()})}));
    }

    static Table table(Val handle) {
        Exec.Variable v = CoreOps.variable(handle);
        Val t = v.value;
        if (t == null || !(t.only() instanceof Table table)) throw new GraphException("resource '" + v.name + "' is not a lookup table");
        return table;
    }

    /** A key as a map key: strings by their bytes, integers as longs, floats as doubles (0.0 and -0.0 one key). */
    private static Object key(Val v, int k) {
        if (v.data instanceof byte[][] s) return new String(s[k], StandardCharsets.ISO_8859_1);
        if (v.data instanceof float[] || v.data instanceof double[]) {
            double d = v.getDouble(k);
            return d == 0 ? 0.0 : d;
        }
        if (v.data instanceof boolean[] b) return b[k];
        return v.getLong(k);
    }

    private static Object element(Val v, int k) {
        if (v.data instanceof byte[][] s) return s[k];
        if (v.data instanceof float[] f) return f[k];
        if (v.data instanceof double[] d) return d[k];
        if (v.data instanceof int[] i) return i[k];
        if (v.data instanceof long[] l) return l[k];
        if (v.data instanceof boolean[] b) return b[k];
        throw new GraphException("lookup table values of " + DTypes.name(v.dtype) + " are not supported");
    }

    static void insert(Table t, Val keys, Val values) {
        if (keys.dtype != t.keyDtype() || values.dtype != t.valueDtype()) {
            throw new GraphException("table of " + DTypes.name(t.keyDtype()) + " -> " + DTypes.name(t.valueDtype()) + " cannot take "
                    + DTypes.name(keys.dtype) + " -> " + DTypes.name(values.dtype));
        }
        if (keys.size() != values.size()) throw new GraphException(keys.size() + " keys but " + values.size() + " values for a lookup table");
        for (int k = 0; k < keys.size(); k++) t.entries().put(key(keys, k), element(values, k));
    }

    /** Each key's value, or the (scalar) default where the table has none. */
    static Val find(Table t, Val keys, Val dflt) {
        if (keys.dtype != t.keyDtype()) throw new GraphException("lookup of " + DTypes.name(keys.dtype) + " keys in a table of " + DTypes.name(t.keyDtype()) + " keys");
        if (dflt.dtype != t.valueDtype() || dflt.size() != 1) {
            throw new GraphException("lookup default must be one " + DTypes.name(t.valueDtype()) + ", not " + dflt);
        }
        int n = keys.size();
        Val out = Val.zeros(t.valueDtype(), keys.shape);
        Object fallback = element(dflt, 0);
        for (int k = 0; k < n; k++) {
            Object v = t.entries().getOrDefault(key(keys, k), fallback);
            if (out.data instanceof byte[][] s) s[k] = (byte[]) v;
            else if (out.data instanceof float[] f) f[k] = (Float) v;
            else if (out.data instanceof double[] d) d[k] = (Double) v;
            else if (out.data instanceof int[] i) i[k] = (Integer) v;
            else if (out.data instanceof long[] l) l[k] = (Long) v;
            else ((boolean[]) out.data)[k] = (Boolean) v;
        }
        return out;
    }
}
