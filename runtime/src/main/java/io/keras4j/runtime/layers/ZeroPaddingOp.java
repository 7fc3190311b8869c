package io.keras4j.runtime.layers;

import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonValue;
import io.keras4j.runtime.math.Transpose;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;

/** {@code ZeroPadding1D/2D}: zeros before and after each spatial axis. */
final class ZeroPaddingOp extends ArrayOp {
    private final int rank;
    private final int[][] pads;
    private final boolean channelsFirst;

    ZeroPaddingOp(LayerSpec spec, int rank) {
        super(spec);
        this.rank = rank;
        this.channelsFirst = Configs.channelsFirst(spec);
        this.pads = new int[rank][2];
        JsonValue v = spec.config().get("padding");
        for (int i = 0; i < rank; i++) {
            JsonValue axis = v.isArray() && v.asArray().size() == rank && rank > 1 ? v.asArray().get(i) : v;
            int[] p = axis.isArray() ? ints(axis.asArray()) : null;
            if (p == null) {
                int n = Configs.tuple(spec, "padding", 1, 1)[0];
                p = new int[] {n, n};
            } else if (p.length == 1) {
                p = new int[] {p[0], p[0]};
            }
            pads[i] = p;
        }
    }

    private static int[] ints(JsonArray a) {
        long[] l = a.toLongs();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) out[i] = (int) l[i];
        return out;
    }

    @Override
    long[] outputShape(long[] in) {
        long[] out = in.clone();
        int first = channelsFirst ? 2 : 1;
        for (int i = 0; i < rank; i++) out[first + i] = in[first + i] < 0 ? -1 : in[first + i] + pads[i][0] + pads[i][1];
        return out;
    }

    @Override
    NdArray forward(NdArray in, CallContext ctx) {
        NdArray x = channelsFirst ? Transpose.toChannelsLast(in) : in;
        int n = x.dim(0), c = x.dim(-1);
        int h = rank == 2 ? x.dim(1) : 1, w = x.dim(rank == 2 ? 2 : 1);
        int top = rank == 2 ? pads[0][0] : 0, bottom = rank == 2 ? pads[0][1] : 0;
        int left = pads[rank - 1][0], right = pads[rank - 1][1];
        int oh = h + top + bottom, ow = w + left + right;
        float[] src = x.data(), out = new float[n * oh * ow * c];
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(src, (b * h + y) * w * c, out, ((b * oh + y + top) * ow + left) * c, w * c);
            }
        }
        NdArray y = NdArray.wrap(out, rank == 2 ? new int[] {n, oh, ow, c} : new int[] {n, ow, c});
        return channelsFirst ? Transpose.toChannelsFirst(y) : y;
    }

    @Override Mask outputMask(Value in) { return null; }
}
