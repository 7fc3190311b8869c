package io.keras4j.tfgraph;

import io.keras4j.format.checkpoint.bundle.BundleReader;
import io.keras4j.format.checkpoint.bundle.TensorBundle;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What kernels reach beyond their inputs: the function library (calls, loops, conditionals), the resource variables
 * of the loaded model, and the checkpoint bundles RestoreV2 reads. One per loaded model, shared by concurrent calls.
 */
final class Exec {
    /** A resource variable: the value AssignVariableOp last stored. */
    static final class Variable {
        final String name;
        volatile Val value;

        Variable(String name) { this.name = name; }

        Val read(Node node) {
            Val v = value;
            if (v == null) throw new GraphException("variable '" + name + "' is read before any value was restored into it");
            return v;
        }

        @Override public String toString() { return "Variable[" + name + "]"; }
    }

    private final Library library;
    private final Map<String, Variable> variables = new ConcurrentHashMap<>();
    private final Map<String, BundleReader> bundles = new ConcurrentHashMap<>();

    Exec(Library library) { this.library = library; }

    Val[] call(String function, Val[] args) { return library.plan(function).run(args, this); }

    Variable variable(String container, String sharedName) {
        String key = container + "/" + sharedName;
        return variables.computeIfAbsent(key, k -> new Variable(sharedName));
    }

    Map<String, Variable> variables() { return variables; }

    BundleReader bundle(String prefix) {
        return bundles.computeIfAbsent(prefix, p -> TensorBundle.open(Path.of(p)));
    }
}
