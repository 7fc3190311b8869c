package io.keras4j.export.tf;

import static io.keras4j.export.tf.TfFunction.bool;

import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.NameAttrList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A TensorFlow {@code StatelessWhile} loop, encoded as {@code tf.while_loop} encodes it in a function: the loop
 * variables are the op's inputs and outputs; the condition and the body are functions of all loop variables,
 * nested in the calling function's library. A function reads only its arguments, so values the body needs but
 * does not change (weights, the whole input sequence) are loop variables too, returned unchanged: the
 * invariants. Both functions must be stateless (no variable reads), which is what makes the loop a
 * {@code StatelessWhile}. A loop variable keeps its dtype and shape from step to step: the op's
 * {@code output_shapes} are the initial values' shapes.
 *
 * <p>{@code null} entries stand for absent optional values: they are no loop variables, the condition and body
 * see {@code null} at their place, and the body must return {@code null} there.
 */
final class WhileLoop {
    /** Whether to run the body again, a DT_BOOL scalar. */
    interface Condition {
        Tensor test(TfOps ops, List<Tensor> carried, List<Tensor> invariants);
    }

    /** The next values of the carried variables, each of its variable's dtype and shape. */
    interface Body {
        List<Tensor> step(TfOps ops, List<Tensor> carried, List<Tensor> invariants);
    }

    private WhileLoop() {}

    /** Runs the loop from these initial values; returns the final values of {@code carried}. */
    static List<Tensor> run(TfOps ops, String name, List<Tensor> carried, List<Tensor> invariants, Condition condition, Body body) {
        List<Tensor> variables = new ArrayList<>(present(carried));
        variables.addAll(present(invariants));
        int carriedCount = present(carried).size();
        TfFunction outer = ops.function();

        TfFunction cond = outer.nested(name + "_cond");
        List<Tensor> condArgs = arguments(cond, variables);
        cond.output("keep_going", condition.test(new TfOps(cond),
                restore(carried, condArgs.subList(0, carriedCount)), restore(invariants, condArgs.subList(carriedCount, condArgs.size()))));

        TfFunction next = outer.nested(name + "_body");
        List<Tensor> bodyArgs = arguments(next, variables);
        List<Tensor> stepped = body.step(new TfOps(next),
                restore(carried, bodyArgs.subList(0, carriedCount)), restore(invariants, bodyArgs.subList(carriedCount, bodyArgs.size())));
        List<Tensor> results = new ArrayList<>();
        for (int i = 0; i < carried.size(); i++) {
            Tensor before = carried.get(i);
            Tensor after = stepped.get(i);
            if ((before == null) != (after == null) || before != null && before.dtype() != after.dtype()) {
                throw new IllegalStateException(name + ": the body's result " + i + " (" + after + ") does not match its loop variable " + before);
            }
            if (after != null) results.add(after);
        }
        results.addAll(bodyArgs.subList(carriedCount, bodyArgs.size()));
        for (int i = 0; i < results.size(); i++) next.output("next_" + i, results.get(i));

        AttrValue.ListValue.Builder types = AttrValue.ListValue.newBuilder();
        AttrValue.ListValue.Builder shapes = AttrValue.ListValue.newBuilder();
        for (Tensor v : variables) {
            types.addType(v.dtype());
            shapes.addShape(TfFunction.shape(v.shape()));
        }
        List<Tensor> outputs = outer.ops("StatelessWhile", name, variables.stream().map(Tensor::shape).toList(),
                variables.stream().map(Tensor::dtype).toList(), variables.stream().map(Tensor::ref).toList(),
                Map.of("T", AttrValue.newBuilder().setList(types).build(),
                        "cond", function(cond), "body", function(next),
                        "output_shapes", AttrValue.newBuilder().setList(shapes).build(),
                        // As tf.while_loop sets it: TensorFlow may lower the loop to Enter/Merge/Switch/Exit frames.
                        "_lower_using_switch_merge", bool(true)));
        return restore(carried, outputs.subList(0, carriedCount));
    }

    /** One argument per loop variable, of its dtype and shape. */
    private static List<Tensor> arguments(TfFunction f, List<Tensor> variables) {
        List<Tensor> args = new ArrayList<>();
        for (int i = 0; i < variables.size(); i++) {
            args.add(f.input("loop_var_" + i, variables.get(i).dtype(), variables.get(i).shape()));
        }
        return args;
    }

    private static List<Tensor> present(List<Tensor> values) { return values.stream().filter(Objects::nonNull).toList(); }

    /** {@code values} put at the non-null places of {@code pattern}. */
    private static List<Tensor> restore(List<Tensor> pattern, List<Tensor> values) {
        List<Tensor> out = new ArrayList<>();
        int next = 0;
        for (Tensor p : pattern) out.add(p == null ? null : values.get(next++));
        return out;
    }

    private static AttrValue function(TfFunction f) {
        return AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName(f.name())).build();
    }
}
