package io.keras4j.export.tf;

import static io.keras4j.export.tf.EmitHelpers.checkChannelsLast;
import static io.keras4j.export.tf.EmitHelpers.tuple;
import static io.keras4j.export.tf.EmitHelpers.staticBeyondBatch;
import static io.keras4j.export.tf.EmitHelpers.unsupported;

import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import java.util.Arrays;

/**
 * Layers that move values without arithmetic: Flatten, Reshape, Permute, RepeatVector and, over 1, 2 or 3
 * spatial axes (channels last), ZeroPadding, Cropping and UpSampling. Reshapes need every dimension but the batch
 * static.
 */
final class ShapeEmitter {
    private final TfOps ops;

    ShapeEmitter(TfOps ops) { this.ops = ops; }

    Tensor reshape(LayerCall call) {
        return ops.reshape(call.name() + "/Reshape", call.input().value(), staticBeyondBatch(call.layer(), call.outputShape()));
    }

    /** {@code dims} are 1-based axes after the batch. */
    Tensor permute(LayerCall call) {
        long[] dims = tuple(call.config(), "dims", call.input().value().rank() - 1);
        int[] perm = new int[dims.length + 1];
        for (int i = 0; i < dims.length; i++) perm[i + 1] = (int) dims[i];
        return ops.transpose(call.name() + "/Transpose", call.input().value(), perm).withShape(call.outputShape());
    }

    /** {@code [batch, dim]} to {@code [batch, n, dim]}. */
    Tensor repeatVector(LayerCall call) {
        int times = call.config().getInt("n", 1);
        Tensor expanded = ops.expandDims(call.name() + "/ExpandDims", call.input().value(), 1);
        return ops.tile(call.name() + "/Tile", expanded, call.outputShape(), 1, times, 1);
    }

    Tensor zeroPadding(LayerCall call) {
        Layer layer = call.layer();
        checkChannelsLast(layer);
        Tensor x = call.input().value();
        long[][] pads = new long[x.rank()][];
        long[][] spatial = pairs(layer.config(), "padding", x.rank() - 2);
        pads[0] = new long[2];
        pads[x.rank() - 1] = new long[2];
        System.arraycopy(spatial, 0, pads, 1, spatial.length);
        return ops.pad(call.name() + "/Pad", x, pads, call.outputShape());
    }

    Tensor cropping(LayerCall call) {
        Layer layer = call.layer();
        checkChannelsLast(layer);
        Tensor x = call.input().value();
        long[][] crops = pairs(layer.config(), "cropping", x.rank() - 2);
        int[] begin = new int[x.rank()];
        int[] end = new int[x.rank()];
        int endMask = 1 | 1 << (x.rank() - 1);
        for (int axis = 1; axis < x.rank() - 1; axis++) {
            begin[axis] = (int) crops[axis - 1][0];
            end[axis] = (int) -crops[axis - 1][1];
            if (crops[axis - 1][1] == 0) endMask |= 1 << axis;
        }
        return ops.stridedSlice(call.name() + "/crop", x, begin, end, 1 | 1 << (x.rank() - 1), endMask, call.outputShape());
    }

    /** Nearest-neighbour upsampling repeats every step {@code size} times along each spatial axis, as Keras's {@code ops.repeat}. */
    Tensor upSampling(LayerCall call) {
        Layer layer = call.layer();
        checkChannelsLast(layer);
        String n = layer.name();
        Tensor x = call.input().value();
        int rank = x.rank() - 2;
        // tf.keras's UpSampling3D repeats axes 1-3 of a channels-last input whatever its rank: [batch, d, h, w] too.
        if (layer.className().equals("UpSampling3D") && x.rank() == 4) rank = 3;
        long[] size = tuple(layer.config(), rank == 1 ? (layer.config().has("size") ? "size" : "length") : "size", rank);
        String interpolation = layer.config().getString("interpolation", "nearest");
        if (!interpolation.equals("nearest")) throw unsupported(layer, "interpolation=" + interpolation);
        Tensor y = x;
        for (int axis = 1; axis <= rank; axis++) y = repeat(layer, n + "/repeat_" + axis, y, axis, (int) size[axis - 1]);
        return y.withShape(call.outputShape());
    }

    /** Each slice along {@code axis} repeated {@code times} times in place (numpy.repeat). */
    private Tensor repeat(Layer layer, String n, Tensor x, int axis, int times) {
        if (times == 1) return x;
        Tensor expanded = ops.expandDims(n + "/ExpandDims", x, axis + 1);
        int[] multiples = new int[expanded.rank()];
        Arrays.fill(multiples, 1);
        multiples[axis + 1] = times;
        long[] tiled = expanded.shape().clone();
        tiled[axis + 1] = times;
        long[] out = x.shape().clone();
        out[axis] = out[axis] < 0 ? -1 : out[axis] * times;
        return ops.reshape(n + "/Reshape", ops.tile(n + "/Tile", expanded, tiled, multiples), staticBeyondBatch(layer, out));
    }

    /** {@code padding} / {@code cropping}: an int, a pair, or one pair per spatial axis, as {before, after} per axis. */
    private static long[][] pairs(JsonObject c, String key, int rank) {
        JsonValue v = c.get(key);
        long[][] out = new long[rank][];
        for (int i = 0; i < rank; i++) {
            JsonValue axis = rank > 1 && v.isArray() && v.asArray().size() == rank ? v.asArray().get(i) : v;
            long[] p = axis.isArray() ? axis.asArray().toLongs()
                    : new long[] {axis instanceof JsonNumber number ? number.longValue() : 0};
            out[i] = p.length == 1 ? new long[] {p[0], p[0]} : new long[] {p[0], p[1]};
        }
        return out;
    }
}
