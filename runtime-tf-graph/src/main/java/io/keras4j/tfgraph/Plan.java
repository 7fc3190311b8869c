package io.keras4j.tfgraph;

import io.keras4j.Keras4jException;
import io.keras4j.UnsupportedModelException;
import io.keras4j.tf.proto.NodeDef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A function body (or the part of the top-level graph a signature needs) compiled once at load: only the nodes the
 * outputs and the stateful control outputs depend on, in an order where every node runs after its data and control
 * inputs, each input resolved to (step, output) or an argument, and every node whose inputs are constants evaluated
 * already (constant folding). Running it is a loop over the steps; a value is dropped after its last use.
 */
final class Plan {
    static final int ARG = -1;

    static final class Step {
        final Node node;
        Op op;
        int[] inStep;
        int[] inIdx;
        Val[] folded;
        int[] freeAfter = new int[0];
        /** Its first input is a temporary only this step reads: an {@link Op.InPlace} op may write into it. */
        boolean inPlace;
        /** A pure step computed from variables and constants only: its outputs are reused while its inputs' arrays are. */
        boolean memoized;
        volatile Memo memo;

        Step(Node node, Op op, int[] inStep, int[] inIdx) {
            this.node = node;
            this.op = op;
            this.inStep = inStep;
            this.inIdx = inIdx;
        }
    }

    /** The inputs' arrays a memoized step last saw and what it computed from them. */
    record Memo(Object[] inputs, Val[] outputs) {}

    /** Memoized outputs larger than this are not kept (a variable-derived value is a weight-sized vector or matrix). */
    private static final int MEMO_MAX_ELEMENTS = 1 << 20;

    final String name;
    final int argCount;
    private final Step[] steps;
    private final int[] outStep;
    private final int[] outIdx;

    private Plan(String name, int argCount, Step[] steps, int[] outStep, int[] outIdx) {
        this.name = name;
        this.argCount = argCount;
        this.steps = steps;
        this.outStep = outStep;
        this.outIdx = outIdx;
    }

    int stepCount() { return steps.length; }

    /** The op names this plan runs (folded constants included), for the op table and diagnostics. */
    List<String> ops() {
        List<String> out = new ArrayList<>();
        for (Step s : steps) out.add(s.op == null ? s.node.op : s.node.op);
        return out;
    }

    Val[] run(Val[] args, Exec exec) {
        if (args.length != argCount) {
            throw new Keras4jException(name + " takes " + argCount + " inputs, " + args.length + " given");
        }
        Val[][] results = new Val[steps.length][];
        for (int k = 0; k < steps.length; k++) {
            Step s = steps[k];
            if (s.folded != null) {
                results[k] = s.folded;
                continue;
            }
            Val[] in = new Val[s.inStep.length];
            for (int j = 0; j < in.length; j++) in[j] = s.inStep[j] == ARG ? args[s.inIdx[j]] : results[s.inStep[j]][s.inIdx[j]];
            if (s.memoized) results[k] = memoized(s, in, exec);
            else results[k] = s.inPlace ? invokeInPlace(s, in) : invoke(s, in, exec);
            for (int f : s.freeAfter) results[f] = null;
        }
        Val[] out = new Val[outStep.length];
        for (int j = 0; j < out.length; j++) out[j] = outStep[j] == ARG ? args[outIdx[j]] : results[outStep[j]][outIdx[j]];
        return out;
    }

    private static Val[] memoized(Step s, Val[] in, Exec exec) {
        Memo m = s.memo;
        if (m != null && m.inputs().length == in.length) {
            boolean same = true;
            for (int j = 0; j < in.length && same; j++) same = m.inputs()[j] == in[j].data;
            if (same) return m.outputs();
        }
        Val[] out = invoke(s, in, exec);
        long size = 0;
        for (Val v : out) size += v.data instanceof Object[] ? MEMO_MAX_ELEMENTS : v.size();
        if (size <= MEMO_MAX_ELEMENTS) {
            Object[] arrays = new Object[in.length];
            for (int j = 0; j < in.length; j++) arrays[j] = in[j].data;
            s.memo = new Memo(arrays, out);
        }
        return out;
    }

    private static Val[] invokeInPlace(Step s, Val[] in) {
        try {
            return new Val[] {((Op.InPlace) s.op).runInPlace(s.node, in)};
        } catch (Keras4jException e) {
            throw e;
        } catch (RuntimeException e) {
            // The same failure the ordinary call reports, with the node and its inputs.
            return invoke(s, in, null);
        }
    }

    private static Val[] invoke(Step s, Val[] in, Exec exec) {
        Val[] out;
        try {
            out = s.op.run(s.node, in, exec);
        } catch (Keras4jException e) {
            throw e;
        } catch (GraphException | ArithmeticException | IllegalArgumentException | IndexOutOfBoundsException
                 | ClassCastException | NegativeArraySizeException | IllegalStateException e) {
            StringBuilder shapes = new StringBuilder();
            for (Val v : in) shapes.append(shapes.length() == 0 ? "" : ", ").append(v);
            throw new Keras4jException(s.node.where() + " failed on inputs (" + shapes + "): " + e.getMessage(), e);
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Resolves output names to flat output indices for nodes whose op is a library function. */
    interface Resolver {
        /** The kernel of {@code node}, or an {@link UnsupportedModelException} naming op and node. */
        Op op(Node node);
    }

    /**
     * Compiles {@code nodes}. {@code argNames} are the names that refer to arguments ({@code x} in a function body; a
     * fed placeholder's node name in a graph), {@code rets} the references to return, {@code targets} nodes that
     * must run for their effect. {@code functionSyntax}: inputs are spelled {@code node:arg:index} (function bodies)
     * rather than {@code node:index} (graphs).
     */
    static Plan compile(String name, List<NodeDef> nodes, List<String> argNames, List<String> rets, List<String> targets,
                        boolean functionSyntax, Resolver resolver, Exec foldExec) {
        Map<String, NodeDef> byName = new HashMap<>();
        for (NodeDef n : nodes) byName.put(n.getName(), n);
        Map<String, Integer> args = new HashMap<>();
        for (int k = 0; k < argNames.size(); k++) args.put(argNames.get(k), k);

        // Post-order DFS from the outputs and targets: every node after the nodes it reads or waits for.
        List<String> roots = new ArrayList<>();
        for (String r : rets) roots.add(nodeOf(r));
        roots.addAll(targets);
        Map<String, Integer> order = new LinkedHashMap<>();
        Map<String, Boolean> onStack = new HashMap<>();
        for (String root : roots) {
            if (args.containsKey(root) || order.containsKey(root)) continue;
            Deque<String[]> stack = new ArrayDeque<>();
            stack.push(new String[] {root, "0"});
            while (!stack.isEmpty()) {
                String[] top = stack.peek();
                String n = top[0];
                NodeDef def = byName.get(n);
                if (def == null) throw new Keras4jException(name + " refers to node '" + n + "', which it does not contain");
                int next = Integer.parseInt(top[1]);
                if (next == 0) onStack.put(n, true);
                if (next < def.getInputCount()) {
                    top[1] = Integer.toString(next + 1);
                    String dep = nodeOf(def.getInput(next));
                    if (args.containsKey(dep) && !def.getInput(next).startsWith("^")) continue;
                    if (args.containsKey(dep)) continue;
                    if (order.containsKey(dep)) continue;
                    if (Boolean.TRUE.equals(onStack.get(dep))) {
                        throw new Keras4jException(name + " has a cycle through node '" + dep + "'");
                    }
                    stack.push(new String[] {dep, "0"});
                } else {
                    stack.pop();
                    onStack.put(n, false);
                    order.put(n, order.size());
                }
            }
        }

        Step[] steps = new Step[order.size()];
        Map<String, Op> opsOfNode = new HashMap<>();
        int k = 0;
        for (String n : order.keySet()) {
            Node node = new Node(byName.get(n), name);
            Op op = resolver.op(node);
            opsOfNode.put(n, op);
            List<Integer> inStep = new ArrayList<>();
            List<Integer> inIdx = new ArrayList<>();
            for (String input : node.def.getInputList()) {
                if (input.startsWith("^")) continue;
                int[] ref = resolve(input, args, order, byName, opsOfNode, functionSyntax, name);
                inStep.add(ref[0]);
                inIdx.add(ref[1]);
            }
            steps[k++] = new Step(node, op, inStep.stream().mapToInt(Integer::intValue).toArray(),
                    inIdx.stream().mapToInt(Integer::intValue).toArray());
        }
        int[] outStep = new int[rets.size()];
        int[] outIdx = new int[rets.size()];
        for (int j = 0; j < rets.size(); j++) {
            int[] ref = resolve(rets.get(j), args, order, byName, opsOfNode, functionSyntax, name);
            outStep[j] = ref[0];
            outIdx[j] = ref[1];
        }
        Plan plan = new Plan(name, argNames.size(), steps, outStep, outIdx);
        plan.fold(foldExec);
        plan.markMemoized();
        Fusion.fuse(plan.steps, plan.outStep);
        plan.scheduleFrees();
        plan.markInPlace();
        return plan;
    }

    private static String nodeOf(String ref) {
        String r = ref.startsWith("^") ? ref.substring(1) : ref;
        int colon = r.indexOf(':');
        return colon < 0 ? r : r.substring(0, colon);
    }

    private static int[] resolve(String ref, Map<String, Integer> args, Map<String, Integer> order, Map<String, NodeDef> byName,
                                 Map<String, Op> ops, boolean functionSyntax, String where) {
        String[] parts = ref.split(":");
        if (parts.length == 1 && args.containsKey(parts[0])) return new int[] {ARG, args.get(parts[0])};
        Integer step = order.get(parts[0]);
        if (step == null) {
            if (args.containsKey(parts[0]) && parts.length == 2) return new int[] {ARG, args.get(parts[0])};
            throw new Keras4jException(where + " refers to '" + ref + "', which is neither an input nor a node");
        }
        try {
            if (parts.length == 1) return new int[] {step, 0};
            if (parts.length == 2 && !functionSyntax) return new int[] {step, Integer.parseInt(parts[1])};
            if (parts.length == 3 || parts.length == 2) {
                Node node = new Node(byName.get(parts[0]), where);
                int idx = parts.length == 3 ? Integer.parseInt(parts[2]) : 0;
                return new int[] {step, ops.get(parts[0]).outputOffset(node, parts[1]) + idx};
            }
        } catch (NumberFormatException | GraphException e) {
            throw new Keras4jException(where + ": cannot resolve input '" + ref + "': " + e.getMessage());
        }
        throw new Keras4jException(where + ": cannot resolve input '" + ref + "'");
    }

    /** Evaluates, once, every pure step whose inputs are all folded. */
    private void fold(Exec exec) {
        for (Step s : steps) {
            if (!s.op.pure()) continue;
            boolean constant = true;
            for (int j = 0; j < s.inStep.length && constant; j++) constant = s.inStep[j] != ARG && steps[s.inStep[j]].folded != null;
            if (!constant) continue;
            Val[] in = new Val[s.inStep.length];
            for (int j = 0; j < in.length; j++) in[j] = steps[s.inStep[j]].folded[s.inIdx[j]];
            s.folded = invoke(s, in, exec);
        }
        // Folded values nobody outside the folded part reads need not be kept.
        boolean[] needed = new boolean[steps.length];
        for (Step s : steps) {
            if (s.folded != null) continue;
            for (int st : s.inStep) if (st != ARG) needed[st] = true;
        }
        for (int st : outStep) if (st != ARG) needed[st] = true;
        for (int k = 0; k < steps.length; k++) if (steps[k].folded != null && !needed[k]) steps[k].folded = new Val[0];
    }

    /** Ops whose output is always an array they allocated (never an input's, a variable's or a constant's). */
    private static final java.util.Set<String> FRESH = java.util.Set.of("Conv2D", "Conv3D", "DepthwiseConv2dNative", "MatMul",
            "BatchMatMulV2", "BatchMatMulV3", "BatchMatMul", "Conv2DBackpropInput", "Conv3DBackpropInputV2", "MaxPool",
            "AvgPool", "MaxPool3D", "AvgPool3D", "ConcatV2", "Einsum", "Softmax");

    /**
     * Marks the elementwise steps that may write into their first input: that input is output 0 of a step that ran
     * (not folded, not an argument), that allocated it (a {@link #FRESH} op, or an elementwise op, whose result is
     * its own array or, in place, a fresh one), and that no other step or plan output reads. This saves an
     * activation-sized allocation per Mul/Add/Relu of a convolution's batch normalization and activation.
     */
    /**
     * Marks the pure steps computed only from variables (ReadVariableOp) and constants: a batch normalization's
     * scale and offset, a weight's transpose or cast. They are computed once and reused while the variables keep
     * their arrays (an assignment gives a variable a new array, so a memo can never be stale).
     */
    private void markMemoized() {
        boolean[] derived = new boolean[steps.length];
        for (int k = 0; k < steps.length; k++) {
            Step s = steps[k];
            if (s.folded != null || s.node.op.equals("ReadVariableOp")) {
                derived[k] = true;
                continue;
            }
            if (!s.op.pure() || s.inStep.length == 0) continue;
            boolean all = true;
            for (int j = 0; j < s.inStep.length && all; j++) all = s.inStep[j] != ARG && derived[s.inStep[j]];
            derived[k] = all;
            s.memoized = all;
        }
    }

    private void markInPlace() {
        int[] readers = new int[steps.length];
        boolean[] otherOutputsRead = new boolean[steps.length];
        for (Step s : steps) {
            if (s.folded != null) continue;
            for (int j = 0; j < s.inStep.length; j++) {
                if (s.inStep[j] == ARG) continue;
                readers[s.inStep[j]]++;
                if (s.inIdx[j] != 0) otherOutputsRead[s.inStep[j]] = true;
            }
        }
        for (int j = 0; j < outStep.length; j++) if (outStep[j] != ARG) readers[outStep[j]] += 2;
        boolean[] fresh = new boolean[steps.length];
        for (int k = 0; k < steps.length; k++) {
            Step s = steps[k];
            if (s.folded != null || s.memoized) continue;
            boolean elementwise = s.op instanceof Op.InPlace;
            fresh[k] = FRESH.contains(s.node.op) || s.op instanceof Fusion.FusedOp || elementwise;
            if (!elementwise || s.inStep.length == 0) continue;
            int p = s.inStep[0];
            s.inPlace = p != ARG && s.inIdx[0] == 0 && fresh[p] && readers[p] == 1 && !otherOutputsRead[p];
        }
    }

    private void scheduleFrees() {
        int[] lastUse = new int[steps.length];
        Arrays.fill(lastUse, -1);
        for (int k = 0; k < steps.length; k++) for (int st : steps[k].inStep) if (st != ARG) lastUse[st] = k;
        for (int st : outStep) if (st != ARG) lastUse[st] = Integer.MAX_VALUE;
        Map<Integer, List<Integer>> frees = new HashMap<>();
        for (int k = 0; k < steps.length; k++) {
            if (steps[k].folded != null) continue;
            if (lastUse[k] >= 0 && lastUse[k] != Integer.MAX_VALUE) frees.computeIfAbsent(lastUse[k], x -> new ArrayList<>()).add(k);
        }
        for (Map.Entry<Integer, List<Integer>> e : frees.entrySet()) {
            steps[e.getKey()].freeAfter = e.getValue().stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
