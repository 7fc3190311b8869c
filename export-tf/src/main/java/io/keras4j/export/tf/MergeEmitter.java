package io.keras4j.export.tf;

import static io.keras4j.export.tf.EmitHelpers.unsupported;

import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.json.JsonArray;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Layers that combine several inputs (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot) and their masks. */
final class MergeEmitter {
    private static final Map<String, String> ELEMENTWISE = Map.of("Add", "AddV2", "Subtract", "Sub", "Multiply", "Mul",
            "Maximum", "Maximum", "Minimum", "Minimum", "Average", "AddV2");

    private final TfOps ops;
    private final NormalizationEmitter normalization;

    MergeEmitter(TfOps ops, NormalizationEmitter normalization) {
        this.ops = ops;
        this.normalization = normalization;
    }

    /** The layer classes this emitter translates. */
    static final Set<String> CLASSES = Set.of("Add", "Subtract", "Multiply", "Maximum", "Minimum", "Average", "Concatenate", "Dot");

    KerasTensor emit(LayerCall call) {
        switch (call.layer().className()) {
            case "Concatenate": return new KerasTensor(concatenate(call), concatenatedMask(call));
            case "Dot": return KerasTensor.of(dot(call));
            default: return new KerasTensor(elementwise(call), mergedMask(call));
        }
    }

    /** Folded left to right; Average divides the sum by the number of inputs. */
    private Tensor elementwise(LayerCall call) {
        String cls = call.layer().className();
        String n = call.name();
        List<Tensor> in = call.inputs().stream().map(KerasTensor::value).toList();
        String op = ELEMENTWISE.get(cls);
        Tensor acc = in.get(0);
        for (int i = 1; i < in.size(); i++) acc = ops.binary(op, in.size() == 2 && !cls.equals("Average") ? n : n + "/" + op + "_" + i, acc, in.get(i));
        if (cls.equals("Average")) acc = ops.div(n, acc, ops.scalar(n + "/count", in.size()));
        return acc.withShape(call.outputShape());
    }

    private Tensor concatenate(LayerCall call) {
        List<Tensor> in = call.inputs().stream().map(KerasTensor::value).toList();
        return ops.concat(call.name(), in, call.config().getInt("axis", -1)).withShape(call.outputShape());
    }

    /**
     * Keras's {@code batch_dot} of two inputs of rank 2 or 3 over one axis each: rank-2 inputs become
     * {@code [batch, 1, dim]} and {@code [batch, dim, 1]}, the contracted axes are moved last and first, one batched
     * MatMul, the added axis squeezed. With {@code normalize} both inputs are L2-normalized along their axis first.
     */
    private Tensor dot(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        Tensor x = call.inputs().get(0).value();
        Tensor y = call.inputs().get(1).value();
        if (x.rank() > 3 || y.rank() > 3) throw unsupported(layer, "inputs of rank above 3");
        int[] axes = axes(call, x.rank(), y.rank());
        if (call.config().getBoolean("normalize", false)) {
            x = normalization.l2Normalize(n + "/normalize_x", x, new int[] {axes[0]}, call.dialect(), 1e-7);
            y = normalization.l2Normalize(n + "/normalize_y", y, new int[] {axes[1]}, call.dialect(), 1e-7);
        }
        int xRank = x.rank();
        int yRank = y.rank();
        int a0 = axes[0];
        if (xRank == 2) {
            x = ops.expandDims(n + "/x_ExpandDims", x, 1);
            a0++;
        }
        if (yRank == 2) y = ops.expandDims(n + "/y_ExpandDims", y, 2);
        if (a0 != 2) x = ops.transpose(n + "/x_Transpose", x, 0, 2, 1);
        if (axes[1] != 1) y = ops.transpose(n + "/y_Transpose", y, 0, 2, 1);
        Tensor result = ops.batchMatMul(n + "/MatMul", x, y, false);
        if (xRank == 2) result = ops.squeeze(n + "/Squeeze", result, 1);
        else if (yRank == 2) result = ops.squeeze(n + "/Squeeze", result, 2);
        return result.withShape(call.outputShape());
    }

    /** The config's {@code axes} (an int or a pair), made non-negative per input. */
    private static int[] axes(LayerCall call, int xRank, int yRank) {
        var v = call.config().get("axes");
        long[] raw = v instanceof JsonArray a ? a.toLongs() : new long[] {call.config().getLong("axes", -1), call.config().getLong("axes", -1)};
        int a0 = (int) (raw[0] < 0 ? Math.floorMod(raw[0], xRank) : raw[0]);
        int a1 = (int) (raw[1] < 0 ? Math.floorMod(raw[1], yRank) : raw[1]);
        if (a0 == 0 || a1 == 0) throw unsupported(call.layer(), "a dot product over the batch axis");
        return new int[] {a0, a1};
    }

    /** Merges combine masks: Keras 3 ORs them (none if any input is unmasked), Keras 2 ANDs the masks present. */
    private Tensor mergedMask(LayerCall call) {
        List<Tensor> masks = call.inputs().stream().map(KerasTensor::mask).toList();
        boolean keras3 = call.dialect() == Dialect.KERAS3;
        if (keras3 && masks.contains(null)) return null;
        List<Tensor> present = masks.stream().filter(Objects::nonNull).toList();
        if (present.isEmpty()) return null;
        Tensor acc = present.get(0);
        for (int i = 1; i < present.size(); i++) {
            acc = ops.logical(keras3 ? "LogicalOr" : "LogicalAnd", call.name() + "/mask_" + i, acc, present.get(i));
        }
        return acc;
    }

    /**
     * Concatenating along the last axis, Keras concatenates the inputs' masks (an unmasked input counts as all
     * kept) and reduces them over that axis: Keras 3 with {@code any}, Keras 2 with {@code all}, as merges combine them.
     */
    private Tensor concatenatedMask(LayerCall call) {
        if (call.inputs().stream().allMatch(in -> in.mask() == null)) return null;
        int axis = call.config().getInt("axis", -1);
        if (axis != -1 && axis != call.input().value().rank() - 1) throw unsupported(call.layer(), "concatenating masked inputs along axis " + axis);
        return mergedMask(call);
    }
}
