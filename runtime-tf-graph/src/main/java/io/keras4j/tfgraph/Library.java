package io.keras4j.tfgraph;

import io.keras4j.UnsupportedModelException;
import io.keras4j.tf.proto.FunctionDef;
import io.keras4j.tf.proto.FunctionDefLibrary;
import io.keras4j.tf.proto.OpDef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The graph's function library, each function compiled to a {@link Plan} the first time a plan that calls it is
 * compiled (so that an op nobody can reach is never refused, and one that can is refused at load).
 */
final class Library implements Plan.Resolver {
    private static final Set<String> FUNCTION_ATTRS = Set.of("f", "body", "cond", "then_branch", "else_branch");

    private final Map<String, FunctionDef> defs = new HashMap<>();
    private final OpTable ops;
    private final Map<String, Plan> plans = new ConcurrentHashMap<>();
    private final Set<String> compiling = new HashSet<>();
    private final Set<String> opsUsed = new TreeSet<>();
    private final String source;
    private Exec exec;

    Library(FunctionDefLibrary library, OpTable ops, String source) {
        for (FunctionDef f : library.getFunctionList()) defs.put(f.getSignature().getName(), f);
        this.ops = ops;
        this.source = source;
    }

    void bind(Exec exec) { this.exec = exec; }

    /** Op types of every compiled plan: what this model needs of the interpreter. */
    Set<String> opsUsed() { return opsUsed; }

    Plan plan(String name) {
        Plan p = plans.get(name);
        if (p != null) return p;
        synchronized (this) {
            p = plans.get(name);
            if (p != null) return p;
            FunctionDef f = defs.get(name);
            if (f == null) throw new UnsupportedModelException(source + " calls function '" + name + "', which its library does not define");
            if (!compiling.add(name)) throw new UnsupportedModelException(source + ": function '" + name + "' calls itself");
            try {
                List<String> args = new ArrayList<>();
                for (OpDef.ArgDef a : f.getSignature().getInputArgList()) args.add(a.getName());
                List<String> rets = new ArrayList<>();
                for (OpDef.ArgDef a : f.getSignature().getOutputArgList()) {
                    String ret = f.getRetOrDefault(a.getName(), null);
                    if (ret == null) throw new UnsupportedModelException(source + ": function '" + name + "' returns no '" + a.getName() + "'");
                    rets.add(ret);
                }
                List<String> targets = new ArrayList<>(new TreeSet<>(f.getControlRetMap().values()));
                p = Plan.compile("function '" + name + "'", f.getNodeDefList(), args, rets, targets, true, this, exec);
                plans.put(name, p);
                return p;
            } finally {
                compiling.remove(name);
            }
        }
    }

    @Override
    public Op op(Node node) {
        // Compile the functions a node calls now, so that what they need is checked at load.
        for (Map.Entry<String, io.keras4j.tf.proto.AttrValue> a : node.def.getAttrMap().entrySet()) {
            if (FUNCTION_ATTRS.contains(a.getKey()) && a.getValue().hasFunc()) plan(a.getValue().getFunc().getName());
        }
        Op op = ops.get(node.op);
        if (op != null) {
            opsUsed.add(node.op);
            return op;
        }
        FunctionDef f = defs.get(node.op);
        if (f != null) {
            plan(node.op);
            opsUsed.add("(function call)");
            return functionCall(node.op, f);
        }
        throw new UnsupportedModelException("the TensorFlow op " + node.op + " of " + node.where() + " in " + source
                + " is not supported by keras4j's graph interpreter (supported: docs in runtime-tf-graph/README.md)");
    }

    private static Op functionCall(String name, FunctionDef f) {
        List<String> outs = new ArrayList<>();
        for (OpDef.ArgDef a : f.getSignature().getOutputArgList()) outs.add(a.getName());
        return Op.named(Op.stateful((node, in, exec) -> exec.call(name, in)), outs.toArray(String[]::new));
    }

}
