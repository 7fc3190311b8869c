package io.keras4j.runtime.graph;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model compiled to a straight-line program over value slots. Immutable: each call gets its own slot array, so
 * one graph serves many threads. A graph is itself a {@link LayerOp}, which is how nested models run.
 */
public final class Graph implements LayerOp {
    private final int slotCount;
    private final int[] inputSlots;
    private final int[] outputSlots;
    private final List<Step> steps;
    /** The steps run: {@link #steps} with {@link Fusion} applied, or the same steps. */
    private final List<Step> program;
    private final List<long[]> inputShapes;
    /** For each step, the slots whose last reader it is: freed after the step to bound memory. */
    private final int[][] releaseAfter;
    private final Map<String, List<List<long[]>>> outputShapesByLayer;
    private final Map<String, List<long[]>> weightShapesByLayer;
    /** Set once by {@link #inferShapes()} during construction. */
    private List<long[]> outputShapes;

    Graph(int slotCount, int[] inputSlots, int[] outputSlots, List<Step> steps, List<long[]> inputShapes, boolean fuse) {
        this.slotCount = slotCount;
        this.inputSlots = inputSlots;
        this.outputSlots = outputSlots;
        this.steps = List.copyOf(steps);
        this.inputShapes = inputShapes.stream().map(long[]::clone).toList();
        this.outputShapesByLayer = new LinkedHashMap<>();
        this.weightShapesByLayer = new LinkedHashMap<>();
        long[][] slotShapes = inferShapes();
        this.program = fuse ? List.copyOf(Fusion.fuse(this.steps, outputSlots, slotShapes)) : this.steps;
        this.releaseAfter = lastUses();
    }

    private int[][] lastUses() {
        int[] last = new int[slotCount];
        Arrays.fill(last, -1);
        for (int s = 0; s < program.size(); s++) {
            for (int in : program.get(s).inputs()) last[in] = s;
            if (program.get(s).maskSlots() != null) for (int m : program.get(s).maskSlots()) if (m >= 0) last[m] = s;
        }
        for (int out : outputSlots) last[out] = Integer.MAX_VALUE;
        List<List<Integer>> byStep = new ArrayList<>();
        for (int s = 0; s < program.size(); s++) byStep.add(new ArrayList<>());
        for (int slot = 0; slot < slotCount; slot++) if (last[slot] >= 0 && last[slot] < program.size()) byStep.get(last[slot]).add(slot);
        return byStep.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    }

    /** Fills the per-layer tables; returns each slot's shape. */
    private long[][] inferShapes() {
        long[][] shapes = new long[slotCount][];
        for (int i = 0; i < inputSlots.length; i++) shapes[inputSlots[i]] = inputShapes.get(i);
        for (Step step : steps) {
            List<long[]> in = Arrays.stream(step.inputs()).mapToObj(s -> shapes[s]).toList();
            List<long[]> out = step.op().outputShapes(in);
            for (int i = 0; i < step.outputs().length && i < out.size(); i++) shapes[step.outputs()[i]] = out.get(i);
            outputShapesByLayer.computeIfAbsent(step.layer(), k -> new ArrayList<>()).add(out);
            weightShapesByLayer.putIfAbsent(step.layer(), step.op().weightShapes(in));
        }
        outputShapes = Arrays.stream(outputSlots).mapToObj(s -> shapes[s]).toList();
        return shapes;
    }

    /** How many steps a call runs: fewer than layer calls where layers were fused. */
    int stepsRun() { return program.size(); }

    public List<long[]> inputShapes() { return inputShapes.stream().map(long[]::clone).toList(); }

    public List<long[]> outputShapes() { return outputShapes.stream().map(long[]::clone).toList(); }

    /** Output shapes of every call of each layer, in call order; layers in graph order. */
    public Map<String, List<List<long[]>>> layerOutputShapes() { return outputShapesByLayer; }

    /** Expected weight shapes of each layer that is called in the graph. */
    public Map<String, List<long[]>> layerWeightShapes() { return weightShapesByLayer; }

    @Override
    public List<long[]> outputShapes(List<long[]> shapes) { return outputShapes(); }

    @Override
    public List<long[]> weightShapes(List<long[]> shapes) {
        List<long[]> all = new ArrayList<>();
        weightShapesByLayer.values().forEach(all::addAll);
        return all;
    }

    private static Mask toMask(NdArray tensor) {
        float[] d = tensor.data();
        boolean[] keep = new boolean[d.length];
        for (int i = 0; i < d.length; i++) keep[i] = d[i] != 0;
        return new Mask(keep, tensor.shape());
    }

    /** Told how long each step of a call took (steps of nested graphs count in their enclosing step). */
    @FunctionalInterface
    public interface StepTimes {
        void step(int index, long nanos);
    }

    /** The layer each step of a call runs, in order: a fused step is named for the layer that kept its op. */
    public List<String> stepLayers() { return program.stream().map(Step::layer).toList(); }

    /** For each step of {@link #stepLayers}, the layers fused into it (empty when none). */
    public List<List<String>> stepFusedLayers() { return program.stream().map(Step::fused).toList(); }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) { return call(inputs, ctx, null); }

    /** {@link #call}, telling {@code times} (when not null) how long each step took. */
    public List<Value> call(List<Value> inputs, CallContext ctx, StepTimes times) {
        Value[] slots = new Value[slotCount];
        // Every slot that holds an array counts as a holder of it, so the arena reuses an array only once no slot of
        // this graph or of an enclosing one holds it.
        for (int i = 0; i < inputSlots.length; i++) {
            slots[inputSlots[i]] = inputs.get(i);
            ctx.retain(inputs.get(i).array().data());
        }
        for (int s = 0; s < program.size(); s++) {
            Step step = program.get(s);
            List<Value> in = new ArrayList<>(step.inputs().length);
            int[] masks = step.maskSlots();
            for (int i = 0; i < step.inputs().length; i++) {
                Value v = slots[step.inputs()[i]];
                if (masks != null) {
                    int m = i < masks.length ? masks[i] : -1;
                    v = new Value(v.array(), m < 0 ? null : toMask(slots[m].array()));
                }
                in.add(v);
            }
            long started = times == null ? 0 : System.nanoTime();
            List<Value> out = step.op().call(in, ctx);
            if (times != null) times.step(s, System.nanoTime() - started);
            for (int i = 0; i < step.outputs().length; i++) {
                slots[step.outputs()[i]] = out.get(i);
                ctx.retain(out.get(i).array().data());
            }
            for (int slot : releaseAfter[s]) {
                if (slots[slot] != null) ctx.release(slots[slot].array().data());
                slots[slot] = null;
            }
        }
        List<Value> out = new ArrayList<>(outputSlots.length);
        for (int slot : outputSlots) out.add(slots[slot]);
        return out;
    }
}
