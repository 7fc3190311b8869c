package io.keras4j.runtime.layers;

import io.keras4j.runtime.graph.FusibleOp;
import io.keras4j.runtime.math.Depthwise;
import io.keras4j.runtime.math.Gemm;
import io.keras4j.runtime.math.PackedMatrix;
import io.keras4j.runtime.math.Winograd;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Conv1D/2D/3D} (strides, dilation, groups, padding valid/same/causal) and {@code DepthwiseConv1D/2D}.
 * Works channels-last on {@code [n, d, h, w, c]} ({@link SpatialOp}).
 *
 * <p>Regular convolutions multiply patches with the kernel, which Keras already stores as a
 * {@code [kh * kw * c_in/groups, c_out]} matrix, packed once for the matrix kernel: a 1x1 convolution is one matmul
 * over all pixels; otherwise a tile of output pixels at a time is gathered (im2col) into a buffer that stays in
 * cache, so the full patch matrix never exists. Bias and a ReLU/ReLU6 activation are applied in the matrix kernel's
 * epilogue. Depthwise convolutions loop directly with the channel axis innermost. A following BatchNormalization or
 * ReLU that alone reads the output is folded in at compile time ({@link FusibleOp}).
 */
final class ConvOp extends SpatialOp implements FusibleOp {
    /** Floats of gathered patches per tile: 128 KiB, which stays in L2 while the kernel passes over it. */
    private static final int TILE_FLOATS = 1 << 15;
    /**
     * {@code -Dkeras4j.winograd=true} computes 3x3 stride-1 convolutions by Winograd's F(2x2, 3x3) ({@link Winograd}).
     * Off by default: faster (the benchmark CNN's batch of 32 in 4.2 instead of 5.3 ms on one thread), but its
     * transforms multiply the rounding error: ResNet50's outputs moved 1.0e-5 from Keras's instead of 2.1e-6, past
     * the 1e-5 every conformance table holds.
     */
    private static final boolean WINOGRAD = Boolean.parseBoolean(System.getProperty("keras4j.winograd", "false"));

    private final boolean depthwise;
    private final int[] kernelSize;
    private final int[] strides;
    private final int[] dilation;
    private final String padding;
    private final int groups;
    private final int filters;
    private final int depthMultiplier;
    private final boolean useBias;
    /** The activation left after {@link #clamp}: linear when the clamp computes it. */
    private final ActivationFunctions.Fn activation;
    private final Clamp clamp;
    private final float[] kernel;
    private final float[] bias;
    /** The kernel as a packed {@code [patch, c_out]} matrix (regular convolutions with one group and weights). */
    private final PackedMatrix packed;
    /** Zero padding {before, after} per spatial axis absorbed from a ZeroPadding layer before a "valid" one, or null. */
    private final int[][] fusedPad;
    /** The kernel transformed for Winograd's F(2x2, 3x3) (3x3 stride-1 2D convolutions with enough channels), or null. */
    private final Winograd winograd;
    /**
     * {pool height, pool width} of a max pooling absorbed from the MaxPooling2D after this 2D convolution, whose windows
     * tile the output, or null. Each tile of output rows is pooled while it is in cache, so the full-size output is
     * never written and read back.
     */
    private final int[] pool;

    private ConvOp(LayerSpec spec, int rank, boolean depthwise) {
        super(spec, rank);
        this.depthwise = depthwise;
        this.kernelSize = Configs.tuple(spec, "kernel_size", rank, 1);
        this.strides = Configs.tuple(spec, "strides", rank, 1);
        this.dilation = Configs.tuple(spec, "dilation_rate", rank, 1);
        this.padding = Configs.padding(spec, "valid", "same", "causal");
        this.groups = Configs.integer(spec, "groups", 1);
        this.filters = depthwise ? -1 : Configs.requiredInt(spec, "filters");
        this.depthMultiplier = depthwise ? Configs.integer(spec, "depth_multiplier", 1) : 1;
        this.useBias = Configs.flag(spec, "use_bias", true);
        String name = LayerActivation.name(spec);
        Clamp fused = Clamp.ofActivation(name);
        this.clamp = fused == null ? Clamp.NONE : fused;
        this.activation = fused == null ? ActivationFunctions.of(name, spec.sourceDialect()) : ActivationFunctions.LINEAR;
        this.kernel = spec.floats(0);
        this.bias = useBias ? spec.floats(1) : null;
        this.packed = pack();
        this.fusedPad = null;
        this.pool = null;
        this.winograd = winograd();
        if (padding.equals("causal") && rank != 1) throw Configs.unsupported(spec, "causal padding in " + rank + "D");
        if (depthwise && rank > 2) throw Configs.unsupported(spec, "3D depthwise convolution");
    }

    private ConvOp(ConvOp from, float[] kernel, float[] bias, Clamp clamp) { this(from, kernel, bias, clamp, from.fusedPad, from.pool); }

    private ConvOp(ConvOp from, float[] kernel, float[] bias, Clamp clamp, int[][] fusedPad, int[] pool) {
        super(from.spec, from.rank);
        this.fusedPad = fusedPad;
        this.pool = pool;
        this.depthwise = from.depthwise;
        this.kernelSize = from.kernelSize;
        this.strides = from.strides;
        this.dilation = from.dilation;
        this.padding = from.padding;
        this.groups = from.groups;
        this.filters = from.filters;
        this.depthMultiplier = from.depthMultiplier;
        this.useBias = from.useBias;
        this.activation = from.activation;
        this.clamp = clamp;
        this.kernel = kernel;
        this.bias = bias;
        this.packed = pack();
        this.winograd = winograd();
    }

    /** {@code null} when the weights do not form a {@code [patch, filters]} matrix: the compiler's weight check says so. */
    private PackedMatrix pack() {
        if (depthwise || groups != 1 || kernel == null || filters <= 0 || kernel.length % filters != 0) return null;
        return PackedMatrix.of(kernel, kernel.length / filters, filters);
    }

    private Winograd winograd() {
        if (packed == null || rank != 2 || kernelSize[0] != 3 || kernelSize[1] != 3 || strides[0] != 1 || strides[1] != 1
                || dilation[0] != 1 || dilation[1] != 1 || !WINOGRAD) return null;
        int cin = packed.rows() / 9;
        return Winograd.worthwhile(cin, filters) ? Winograd.of(kernel, cin, filters) : null;
    }

    @Override
    public LayerOp afterZeroPadding(int[][] pads) {
        if (channelsFirst || !padding.equals("valid") || pads.length != rank || kernel == null) return null;
        int[][] total = new int[rank][];
        for (int i = 0; i < rank; i++) {
            if (pads[i].length != 2) return null;
            total[i] = fusedPad == null ? pads[i].clone() : new int[] {fusedPad[i][0] + pads[i][0], fusedPad[i][1] + pads[i][1]};
        }
        return new ConvOp(this, kernel, bias, clamp, total, pool);
    }

    @Override
    public LayerOp thenTilingMaxPool2D(int[] window) {
        // The gathered-tile path only (no Winograd); any activation but a clamp would have to run before the max.
        if (pool != null || depthwise || packed == null || winograd != null || rank != 2 || channelsFirst
                || activation != ActivationFunctions.LINEAR || window.length != 2 || window[0] < 1 || window[1] < 1) return null;
        return new ConvOp(this, kernel, bias, clamp, fusedPad, window.clone());
    }

    /** Where the window of spatial axis {@code i} lands on an input of length {@code len}. */
    private Window window(int i, int len) {
        if (fusedPad == null) return Window.of(len, kernelSize[i], strides[i], dilation[i], padding);
        return Window.padded(len, kernelSize[i], strides[i], dilation[i], fusedPad[i][0], fusedPad[i][1]);
    }

    @Override public int outputChannelAxis(int r) { return channelsFirst ? 1 : r - 1; }

    @Override
    public LayerOp thenChannelAffine(float[] scale, float[] shift) {
        if (pool != null || kernel == null || activation != ActivationFunctions.LINEAR || !clamp.isNone()) return null;
        int channels = depthwise ? kernel.length / (kernelSize[0] * (rank > 1 ? kernelSize[1] : 1)) : filters;
        if (scale.length != channels || kernel.length % channels != 0) return null;
        return new ConvOp(this, ChannelFolding.scaleColumns(kernel, scale), ChannelFolding.shiftBias(bias, scale, shift, channels), clamp);
    }

    @Override
    public LayerOp thenClamp(float lower, float upper) {
        if (pool != null || kernel == null || activation != ActivationFunctions.LINEAR) return null;
        return new ConvOp(this, kernel, bias, clamp.then(new Clamp(lower, upper)));
    }

    static ConvOp conv(LayerSpec spec, int rank) { return new ConvOp(spec, rank, false); }

    static ConvOp depthwise(LayerSpec spec, int rank) { return new ConvOp(spec, rank, true); }

    private long outChannels(long inChannels) { return depthwise ? (inChannels < 0 ? -1 : inChannels * depthMultiplier) : filters; }

    @Override
    long[] outputShape(long[] in) {
        long[] out = spatialShape(in, (i, len) -> fusedPad == null ? Window.length(len, kernelSize[i], strides[i], dilation[i], padding)
                : len < 0 ? -1 : Window.length(len + fusedPad[i][0] + fusedPad[i][1], kernelSize[i], strides[i], dilation[i], "valid"));
        int channelAxis = channelAxis(in);
        out[channelAxis] = outChannels(in[channelAxis]);
        if (pool != null) for (int i = 0; i < 2; i++) out[1 + i] = out[1 + i] < 0 ? -1 : out[1 + i] / pool[i];
        return out;
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        long[] in = single(inputShapes);
        long channels = in[channelAxis(in)];
        long[] k = new long[rank + 2];
        for (int i = 0; i < rank; i++) k[i] = kernelSize[i];
        k[rank] = depthwise ? channels : channels < 0 ? -1 : channels / groups;
        k[rank + 1] = depthwise ? depthMultiplier : filters;
        List<long[]> shapes = new ArrayList<>(List.of(k));
        if (useBias) shapes.add(new long[] {outChannels(channels)});
        return shapes;
    }

    @Override
    NdArray forwardChannelsLast(NdArray x, CallContext ctx) {
        if (pool != null) return pooledConv(x, ctx);
        int n = x.dim(0), c = x.dim(-1);
        Window[] g = windows(x, this::window);
        int cout = (int) outChannels(c);
        int size = n * g[0].out() * g[1].out() * g[2].out() * cout;
        boolean viaPacked = !depthwise && packed != null && packed.rows() == g[0].kernel() * g[1].kernel() * g[2].kernel() * c;
        // The packed and depth-multiplier-1 paths write every output; the others accumulate into zeros.
        float[] out = viaPacked || (depthwise && depthMultiplier == 1) ? ctx.buffer(size) : ctx.zeroedBuffer(size);
        if (depthwise) {
            depthwise(x.data(), n, c, g[1], g[2], out, ctx);
        } else if (viaPacked && winograd != null) {
            winograd.conv(ctx, x.data(), n, g[1].in(), g[2].in(), g[1].padBefore(), g[2].padBefore(), g[1].out(), g[2].out(),
                    bias, clamp.lower(), clamp.upper(), out);
        } else if (viaPacked) {
            packedConv(x.data(), n, c, g, cout, out, ctx);
        } else {
            regular(x.data(), n, c, g, cout, out, ctx);
            if (bias != null) {
                for (int i = 0; i < out.length; i += cout) for (int j = 0; j < cout; j++) out[i + j] += bias[j];
            }
            clamp.applyInPlace(out, 0, out.length);
        }
        activation.applyInPlace(out, cout);
        return channelsLast(out, n, g, cout);
    }

    /** One group: 1x1 as one matmul, else tiles of output pixels gathered into patches and multiplied. */
    private void packedConv(float[] x, int n, int c, Window[] g, int cout, float[] out, CallContext ctx) {
        Window gz = g[0], gy = g[1], gx = g[2];
        int d = gz.in(), h = gy.in(), w = gx.in();
        int kd = gz.kernel(), kh = gy.kernel(), kw = gx.kernel();
        int od = gz.out(), oh = gy.out(), ow = gx.out();
        boolean pointwise = kd == 1 && kh == 1 && kw == 1 && gz.stride() == 1 && gy.stride() == 1 && gx.stride() == 1;
        if (pointwise) {
            clamp.multiply(ctx, n * d * h * w, x, 0, c, packed, bias, out, 0, cout);
            return;
        }
        int patchLen = kd * kh * kw * c;
        int pixels = n * od * oh * ow;
        int cached = Math.max(4, Math.min(512, TILE_FLOATS / patchLen) & ~3);
        // At least four tiles per thread where the pixels allow, so a split is even: a batch-1 layer has few pixels,
        // and two tiles for three (the CNN's second convolution) made two threads slower than one.
        int even = ((pixels + 4 * ctx.parallelism() - 1) / (4 * ctx.parallelism()) + 7) & ~7;
        int tile = ctx.parallelism() > 1 ? Math.max(8, Math.min(cached, even)) : cached;
        int tiles = (pixels + tile - 1) / tile;
        ctx.parallelFor(tiles, (long) tile * patchLen * cout, (from, to) -> {
            float[] patches = new float[tile * patchLen + Gemm.COPY_SLACK];
            int[] rowBase = new int[kh];
            for (int t = from; t < to; t++) {
                int p0 = t * tile, p1 = Math.min(pixels, p0 + tile);
                gather(x, c, g, p0, p1, patches, rowBase);
                Gemm.multiply(p1 - p0, patches, 0, patchLen, packed, bias, clamp.lower(), clamp.upper(), out, p0 * cout, cout);
            }
        });
    }

    /**
     * The convolution with its absorbed max pooling: a task is one row of pooled output, whose {@code pool[0]} rows of
     * convolution outputs are gathered, multiplied into a small block and pooled at once. Rows and columns that no
     * whole window covers are never computed ("valid" pooling drops them).
     */
    private NdArray pooledConv(NdArray xa, CallContext ctx) {
        float[] x = xa.data();
        int n = xa.dim(0), c = xa.dim(-1);
        Window[] g = windows(xa, this::window);
        int kh = g[1].kernel(), kw = g[2].kernel(), oh = g[1].out(), ow = g[2].out(), cout = filters;
        int patchLen = kh * kw * c;
        if (packed.rows() != patchLen) {
            throw new IllegalStateException("layer '" + spec.name() + "': kernel of " + packed.rows() + " rows for patches of " + patchLen);
        }
        int ph = pool[0], pw = pool[1], pooledH = oh / ph, pooledW = ow / pw, tile = ph * ow;
        float[] out = ctx.buffer(n * pooledH * pooledW * cout);
        ctx.parallelFor(n * pooledH, (long) tile * patchLen * cout, (from, to) -> {
            float[] patches = new float[tile * patchLen + Gemm.COPY_SLACK];
            float[] block = new float[tile * cout];
            int[] rowBase = new int[kh];
            int[] taps = new int[ph * pw];
            for (int row = from; row < to; row++) {
                int b = row / pooledH, py = row % pooledH, p0 = (b * oh + py * ph) * ow;
                gather(x, c, g, p0, p0 + tile, patches, rowBase);
                Gemm.multiply(tile, patches, 0, patchLen, packed, bias, clamp.lower(), clamp.upper(), block, 0, cout);
                for (int px = 0, o = row * pooledW * cout; px < pooledW; px++, o += cout) {
                    for (int dy = 0, t = 0; dy < ph; dy++) {
                        for (int dx = 0; dx < pw; dx++) taps[t++] = (dy * ow + px * pw + dx) * cout;
                    }
                    io.keras4j.runtime.math.Pool.pixel(block, taps, taps.length, true, out, o, cout);
                }
            }
        });
        return NdArray.wrap(out, n, pooledH, pooledW, cout);
    }

    /** Gathers the patches of output pixels {@code [p0, p1)} (linear over batch, depth, height, width) as rows. */
    private void gather(float[] x, int c, Window[] g, int p0, int p1, float[] patches, int[] rowBase) {
        Window gz = g[0], gy = g[1], gx = g[2];
        int d = gz.in(), h = gy.in(), w = gx.in();
        int kd = gz.kernel(), kh = gy.kernel(), kw = gx.kernel();
        int od = gz.out(), oh = gy.out(), ow = gx.out();
        int patchLen = kd * kh * kw * c, perImage = od * oh * ow;
        boolean rowsInside = false;
        int baseOf = -1;
        // Output coordinates advance with p (divisions per pixel cost as much as a 3-channel patch's matmul).
        int b = p0 / perImage, r0 = p0 % perImage, oz = r0 / (oh * ow), oy = r0 / ow % oh, ox = r0 % ow;
        for (int p = p0; p < p1; p++) {
            if (p > p0 && ++ox == ow) {
                ox = 0;
                if (++oy == oh) {
                    oy = 0;
                    if (++oz == od) {
                        oz = 0;
                        b++;
                    }
                }
            }
            int dst = (p - p0) * patchLen;
            if (kd == 1 && gx.dilation() == 1) {
                // The common 2D case without per-tap checks: kernel rows found once per output row, and
                // a pixel whose window lies inside copies one run per kernel row.
                int row = b * oh + oy;
                if (row != baseOf) {
                    baseOf = row;
                    rowsInside = true;
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = gy.source(oy, ky);
                        rowBase[ky] = iy < 0 || iy >= h ? -1 : (b * h + iy) * w * c;
                        rowsInside &= rowBase[ky] >= 0;
                    }
                }
                int ix0 = gx.source(ox, 0);
                if (rowsInside && ix0 >= 0 && ix0 + kw <= w) {
                    for (int ky = 0; ky < kh; ky++, dst += kw * c) {
                        Gemm.copyShort(x, rowBase[ky] + ix0 * c, patches, dst, kw * c);
                    }
                    continue;
                }
            }
            for (int kz = 0; kz < kd; kz++) {
                int iz = gz.source(oz, kz);
                boolean zInside = iz >= 0 && iz < d;
                for (int ky = 0; ky < kh; ky++, dst += kw * c) {
                    int iy = gy.source(oy, ky);
                    if (!zInside || iy < 0 || iy >= h) {
                        java.util.Arrays.fill(patches, dst, dst + kw * c, 0f);
                        continue;
                    }
                    int rowStart = ((b * d + iz) * h + iy) * w;
                    int ix0 = gx.source(ox, 0), ixLast = gx.source(ox, kw - 1);
                    if (gx.dilation() == 1 && ix0 >= 0 && ixLast < w) {
                        // The taps along x are adjacent pixels: one copy (one vector for a first layer's few floats).
                        Gemm.copyShort(x, (rowStart + ix0) * c, patches, dst, kw * c);
                        continue;
                    }
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = gx.source(ox, kx), at = dst + kx * c;
                        if (ix < 0 || ix >= w) java.util.Arrays.fill(patches, at, at + c, 0f);
                        else System.arraycopy(x, (rowStart + ix) * c, patches, at, c);
                    }
                }
            }
        }
    }

    private void regular(float[] x, int n, int c, Window[] g, int cout, float[] out, CallContext ctx) {
        Window gz = g[0], gy = g[1], gx = g[2];
        int d = gz.in(), h = gy.in(), w = gx.in();
        int kd = gz.kernel(), kh = gy.kernel(), kw = gx.kernel(), cg = c / groups, coutG = cout / groups;
        int patchLen = kd * kh * kw * cg;
        int ow = gx.out();
        boolean pointwise = kd == 1 && kh == 1 && kw == 1 && gz.stride() == 1 && gy.stride() == 1 && gx.stride() == 1
                && groups == 1;
        if (pointwise) {
            // A 1x1 convolution is one matmul over all pixels: no patches needed.
            int rows = n * d * h * w;
            ctx.parallelFor(rows, (long) c * cout, (from, to) ->
                    Gemm.multiplyAdd(to - from, cout, c, x, from * c, c, kernel, 0, cout, out, from * cout, cout));
            return;
        }
        int planes = gz.out() * gy.out();
        ctx.parallelFor(n * planes, (long) ow * patchLen * cout, (from, to) -> {
            float[] patches = new float[ow * patchLen];
            for (int row = from; row < to; row++) {
                int b = row / planes, oz = row % planes / gy.out(), oy = row % gy.out();
                for (int grp = 0; grp < groups; grp++) {
                    java.util.Arrays.fill(patches, 0f);
                    for (int ox = 0; ox < ow; ox++) {
                        int dst = ox * patchLen;
                        for (int kz = 0; kz < kd; kz++) {
                            int iz = gz.source(oz, kz);
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = gy.source(oy, ky);
                                if (iz < 0 || iz >= d || iy < 0 || iy >= h) { dst += kw * cg; continue; }
                                for (int kx = 0; kx < kw; kx++, dst += cg) {
                                    int ix = gx.source(ox, kx);
                                    if (ix < 0 || ix >= w) continue;
                                    System.arraycopy(x, (((b * d + iz) * h + iy) * w + ix) * c + grp * cg, patches, dst, cg);
                                }
                            }
                        }
                    }
                    Gemm.multiplyAdd(ow, coutG, patchLen, patches, 0, patchLen, kernel, grp * coutG, cout,
                            out, row * ow * cout + grp * coutG, cout);
                }
            }
        });
    }

    private void depthwise(float[] x, int n, int c, Window gy, Window gx, float[] out, CallContext ctx) {
        int h = gy.in(), w = gx.in();
        int kh = gy.kernel(), kw = gx.kernel(), dm = depthMultiplier, cout = c * dm, ow = gx.out();
        ctx.parallelFor(n * gy.out(), (long) ow * kh * kw * cout, (from, to) -> {
            int[] xAt = new int[kh * kw], kAt = new int[kh * kw], rowAt = new int[3];
            // A 3x3 window (MobileNet's) runs the pixels whose taps are all inside as one interior run per row.
            boolean row3x3 = dm == 1 && kh == 3 && kw == 3 && gx.dilation() == 1;
            int oxFirst = Math.min(ow, (gx.padBefore() + gx.stride() - 1) / gx.stride());
            int oxEnd = Math.max(oxFirst, Math.min(ow, w - 3 + gx.padBefore() < 0 ? 0 : (w - 3 + gx.padBefore()) / gx.stride() + 1));
            for (int row = from; row < to; row++) {
                int b = row / gy.out(), oy = row % gy.out();
                boolean interior = row3x3 && oxEnd > oxFirst;
                for (int ky = 0; interior && ky < 3; ky++) {
                    int iy = gy.source(oy, ky);
                    interior = iy >= 0 && iy < h;
                    if (interior) rowAt[ky] = (b * h + iy) * w * c;
                }
                for (int ox = 0; ox < ow; ox++) {
                    if (interior && ox == oxFirst) {
                        Depthwise.interiorRow3x3(x, rowAt, gx.source(ox, 0) * c, gx.stride() * c, oxEnd - oxFirst, kernel,
                                bias, clamp.lower(), clamp.upper(), out, (row * ow + ox) * cout, c);
                        ox = oxEnd - 1;
                        continue;
                    }
                    int o = (row * ow + ox) * cout;
                    int taps = 0;
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = gy.source(oy, ky);
                        if (iy < 0 || iy >= h) continue;
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = gx.source(ox, kx);
                            if (ix < 0 || ix >= w) continue;
                            xAt[taps] = ((b * h + iy) * w + ix) * c;
                            kAt[taps++] = (ky * kw + kx) * cout;
                        }
                    }
                    if (dm == 1) {
                        Depthwise.pixel(x, xAt, kernel, kAt, taps, bias, clamp.lower(), clamp.upper(), out, o, c);
                        continue;
                    }
                    if (bias != null) System.arraycopy(bias, 0, out, o, cout);
                    for (int t = 0; t < taps; t++) {
                        int xi = xAt[t], ki = kAt[t];
                        for (int ch = 0; ch < c; ch++) {
                            float v = x[xi + ch];
                            for (int m = 0; m < dm; m++) out[o + ch * dm + m] += v * kernel[ki + ch * dm + m];
                        }
                    }
                    clamp.applyInPlace(out, o, o + cout);
                }
            }
        });
    }
}
