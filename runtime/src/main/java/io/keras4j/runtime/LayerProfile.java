package io.keras4j.runtime;

import java.util.List;

/**
 * Where a model's prediction time goes: the mean time of each step a call runs, over {@link #calls} timed calls
 * ({@link CompiledModel#profile}). A step is one layer call, or several layers compile-time fusion made one (a
 * convolution with the BatchNormalization and ReLU after it): {@link Step#fusedLayers} names those. The steps'
 * times add up to a little less than {@link #meanCallNanos}, which also counts checking inputs and handing out
 * outputs.
 */
public final class LayerProfile {
    /** One step: its layer, the layers fused into it, and its mean time per call. */
    public record Step(String layer, List<String> fusedLayers, double meanNanos) {
        public Step {
            fusedLayers = List.copyOf(fusedLayers);
        }
    }

    private final List<Step> steps;
    private final int calls;
    private final double meanCallNanos;

    LayerProfile(List<Step> steps, int calls, double meanCallNanos) {
        this.steps = List.copyOf(steps);
        this.calls = calls;
        this.meanCallNanos = meanCallNanos;
    }

    /** The steps in the order a call runs them. */
    public List<Step> steps() { return steps; }

    /** How many calls were timed. */
    public int calls() { return calls; }

    /** Mean wall time of one whole predict call. */
    public double meanCallNanos() { return meanCallNanos; }

    /** The steps, slowest first. */
    public List<Step> slowestFirst() {
        return steps.stream().sorted((a, b) -> Double.compare(b.meanNanos(), a.meanNanos())).toList();
    }
}
