package io.keras4j.tfgraph;

import io.keras4j.format.checkpoint.bundle.BundleReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Constants, identities, function calls, control flow (While, If), resource variables, checkpoint restore and
 * tensor lists: the ops that move values rather than compute them.
 */
final class CoreOps {
    private CoreOps() {}

    /** A TensorFlow TensorList variant: immutable items (null where reserved but never set). */
    record TensorList(Val[] items, int[] elementShape, int elementDtype) {}

    static void register(Map<String, Op> m) {
        OpTable.put(m, "Const", (Op.Simple) (n, in) -> Protos.toVal(n.attr("value").getTensor()));
        Op identity = (Op.Simple) (n, in) -> in[0];
        for (String name : new String[] {"Identity", "StopGradient", "PreventGradient", "Snapshot", "CheckNumerics"}) {
            OpTable.put(m, name, identity);
        }
        OpTable.put(m, "EnsureShape", (Op.Simple) (n, in) -> {
            int[] want = n.shape("shape");
            if (want != null) checkShape(in[0].shape, want, "EnsureShape");
            return in[0];
        });
        OpTable.put(m, "IdentityN", (n, in, e) -> in.clone());
        OpTable.put(m, "NoOp", (n, in, e) -> new Val[0]);
        OpTable.put(m, "Placeholder", Op.stateful((n, in, e) -> {
            throw new GraphException("placeholder '" + n.name + "' is not fed by the signature being run");
        }));
        OpTable.put(m, "PlaceholderWithDefault", Op.stateful((n, in, e) -> new Val[] {in[0]}));
        OpTable.put(m, "Assert", Op.stateful((n, in, e) -> {
            if (!truthy(in[0])) {
                StringBuilder msg = new StringBuilder("assertion failed");
                for (int k = 1; k < in.length; k++) msg.append(k == 1 ? ": " : " ").append(describe(in[k]));
                throw new GraphException(msg.toString());
            }
            return new Val[0];
        }));

        Op call = Op.stateful((n, in, e) -> e.call(n.func("f"), in));
        OpTable.put(m, "PartitionedCall", call);
        OpTable.put(m, "StatefulPartitionedCall", call);
        Op whileLoop = Op.stateful(CoreOps::whileLoop);
        OpTable.put(m, "While", whileLoop);
        OpTable.put(m, "StatelessWhile", whileLoop);
        Op ifOp = Op.stateful((n, in, e) -> e.call(n.func(truthy(in[0]) ? "then_branch" : "else_branch"),
                Arrays.copyOfRange(in, 1, in.length)));
        OpTable.put(m, "If", ifOp);
        OpTable.put(m, "StatelessIf", ifOp);

        OpTable.put(m, "VarHandleOp", Op.stateful((n, in, e) -> {
            String shared = n.s("shared_name", "");
            return new Val[] {Val.object(DTypes.RESOURCE, e.variable(n.s("container", ""), shared.isEmpty() ? n.name : shared))};
        }));
        OpTable.put(m, "ReadVariableOp", Op.stateful((n, in, e) -> new Val[] {variable(in[0]).read(n)}));
        OpTable.put(m, "AssignVariableOp", Op.stateful((n, in, e) -> {
            variable(in[0]).value = in[1];
            return new Val[0];
        }));
        OpTable.put(m, "AssignAddVariableOp", Op.stateful((n, in, e) -> assignUpdate(n, in, true)));
        OpTable.put(m, "AssignSubVariableOp", Op.stateful((n, in, e) -> assignUpdate(n, in, false)));
        OpTable.put(m, "VarIsInitializedOp", Op.stateful((n, in, e) -> new Val[] {Val.scalarBool(variable(in[0]).value != null)}));
        OpTable.put(m, "DestroyResourceOp", Op.stateful((n, in, e) -> new Val[0]));
        OpTable.put(m, "ResourceGather", Op.stateful((n, in, e) -> {
            if (n.i("batch_dims", 0) != 0) throw new GraphException("ResourceGather with batch_dims is not supported");
            return new Val[] {ArrayOps.gather(variable(in[0]).read(n), in[1], 0)};
        }));
        OpTable.put(m, "RestoreV2", Op.stateful(CoreOps::restore));

        OpTable.put(m, "TensorListReserve", (Op.Simple) (n, in) -> {
            int count = Math.toIntExact(in[1].getLong(0));
            if (count < 0) throw new GraphException("TensorListReserve of " + count + " elements");
            return list(new Val[count], in[0].toInts(), n.type("element_dtype"));
        });
        OpTable.put(m, "EmptyTensorList", (Op.Simple) (n, in) -> list(new Val[0], in[0].toInts(), n.type("element_dtype")));
        OpTable.put(m, "TensorListFromTensor", (Op.Simple) (n, in) -> {
            Val t = in[0];
            if (t.rank() == 0) throw new GraphException("TensorListFromTensor of a scalar");
            return list(ArrayOps.unstack(t, 0), Arrays.copyOfRange(t.shape, 1, t.rank()), t.dtype);
        });
        OpTable.put(m, "TensorListGetItem", (Op.Simple) (n, in) -> {
            TensorList l = listOf(in[0]);
            int k = index(l, in[1]);
            Val item = l.items()[k];
            return item != null ? item : Val.zeros(l.elementDtype(), resolveShape(l.elementShape(), in[2].toInts(), "TensorListGetItem"));
        });
        OpTable.put(m, "TensorListSetItem", (Op.Simple) (n, in) -> {
            TensorList l = listOf(in[0]);
            int k = index(l, in[1]);
            Val[] items = l.items().clone();
            items[k] = in[2];
            return list(items, l.elementShape(), l.elementDtype());
        });
        OpTable.put(m, "TensorListPushBack", (Op.Simple) (n, in) -> {
            TensorList l = listOf(in[0]);
            Val[] items = Arrays.copyOf(l.items(), l.items().length + 1);
            items[items.length - 1] = in[1];
            return list(items, l.elementShape(), l.elementDtype());
        });
        OpTable.put(m, "TensorListLength", (Op.Simple) (n, in) -> Val.scalarInt(listOf(in[0]).items().length));
        OpTable.put(m, "TensorListElementShape", (Op.Simple) (n, in) -> {
            int[] s = listOf(in[0]).elementShape();
            return n.type("shape_type", DTypes.INT32) == DTypes.INT64 ? Val.longs(Arrays.stream(s).asLongStream().toArray(), s.length)
                    : Val.ints(s.clone(), s.length);
        });
        OpTable.put(m, "TensorListStack", (Op.Simple) (n, in) -> {
            TensorList l = listOf(in[0]);
            int[] elem = null;
            for (Val v : l.items()) if (v != null) { elem = v.shape; break; }
            if (elem == null) elem = resolveShape(l.elementShape(), in[1].toInts(), "TensorListStack");
            Val[] items = l.items().clone();
            for (int k = 0; k < items.length; k++) {
                if (items[k] == null) items[k] = Val.zeros(l.elementDtype(), elem);
                else if (!Arrays.equals(items[k].shape, elem)) {
                    throw new GraphException("TensorListStack of items of shapes " + Shapes.str(elem) + " and " + Shapes.str(items[k].shape));
                }
            }
            return ArrayOps.stack(items, 0, l.elementDtype(), elem);
        });
    }

    static boolean truthy(Val v) {
        if (v.rank() != 0) return v.size() > 0;
        if (v.data instanceof boolean[] b) return b[0];
        if (v.data instanceof byte[][] s) return s[0].length > 0;
        return v.getDouble(0) != 0;
    }

    private static Val[] whileLoop(Node n, Val[] in, Exec e) {
        String cond = n.func("cond");
        String body = n.func("body");
        Val[] vars = in.clone();
        while (truthy(e.call(cond, vars)[0])) {
            Val[] next = e.call(body, vars);
            if (next.length != vars.length) {
                throw new GraphException("while body '" + body + "' returns " + next.length + " values for " + vars.length + " loop variables");
            }
            vars = next;
        }
        return vars;
    }

    static Exec.Variable variable(Val handle) {
        if (handle.dtype != DTypes.RESOURCE || !(handle.only() instanceof Exec.Variable v)) {
            throw new GraphException("expected a resource variable handle, got " + handle);
        }
        return v;
    }

    private static Val[] assignUpdate(Node n, Val[] in, boolean add) {
        Exec.Variable v = variable(in[0]);
        synchronized (v) {
            v.value = MathOps.binary(add ? "AddV2" : "Sub", v.read(n), in[1]);
        }
        return new Val[0];
    }

    private static Val[] restore(Node n, Val[] in, Exec e) {
        String prefix = new String((byte[]) in[0].only(), StandardCharsets.UTF_8);
        byte[][] names = in[1].s();
        byte[][] slices = in[2].s();
        BundleReader bundle = e.bundle(prefix);
        Val[] out = new Val[names.length];
        for (int k = 0; k < names.length; k++) {
            String key = new String(names[k], StandardCharsets.UTF_8);
            if (k < slices.length && slices[k].length > 0) {
                throw new GraphException("RestoreV2 of a slice ('" + new String(slices[k], StandardCharsets.UTF_8) + "') of '" + key + "' is not supported");
            }
            out[k] = Vals.fromTensor(bundle.read(key));
        }
        return out;
    }

    private static Val list(Val[] items, int[] elementShape, int dtype) {
        return Val.object(DTypes.VARIANT, new TensorList(items, elementShape, dtype));
    }

    static TensorList listOf(Val v) {
        if (v.dtype != DTypes.VARIANT || !(v.only() instanceof TensorList l)) throw new GraphException("expected a TensorList, got " + v);
        return l;
    }

    private static int index(TensorList l, Val index) {
        long k = index.getLong(0);
        if (k < 0 || k >= l.items().length) throw new GraphException("index " + k + " outside a TensorList of " + l.items().length);
        return (int) k;
    }

    /** The list's element shape with unknown (-1) dimensions filled from {@code given}. */
    private static int[] resolveShape(int[] declared, int[] given, String op) {
        int[] s = declared.length == 1 && declared[0] == -1 && given.length != 1 ? given : declared;
        if (s.length != given.length && !(given.length == 1 && given[0] == -1)) s = given;
        int[] out = s.clone();
        for (int k = 0; k < out.length; k++) {
            if (out[k] < 0 && k < given.length) out[k] = given[k];
            if (out[k] < 0) throw new GraphException(op + " of an empty element whose shape " + Shapes.str(declared) + " is not known");
        }
        return out;
    }

    static void checkShape(int[] actual, int[] want, String what) {
        boolean ok = actual.length == want.length;
        for (int k = 0; ok && k < want.length; k++) ok = want[k] < 0 || want[k] == actual[k];
        if (!ok) throw new GraphException(what + ": shape " + Shapes.str(actual) + " is not " + Shapes.str(want));
    }

    private static String describe(Val v) {
        if (v.data instanceof byte[][] s) return s.length == 0 ? "" : new String(s[0], StandardCharsets.UTF_8);
        return v.toString();
    }

}
