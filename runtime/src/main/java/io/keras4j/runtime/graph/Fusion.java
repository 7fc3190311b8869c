package io.keras4j.runtime.graph;

import io.keras4j.runtime.spi.LayerOp;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds a {@link FusibleOp} consumer into its producer where the graph allows: the consumer is the only reader of
 * the producer's single output, that output is not a graph output, and the consumer reads nothing else (no mask
 * slot). An identity at inference (Dropout, GaussianNoise...) is simply absorbed; a convolution pools its own output
 * when a 2x2-style max pooling follows. A zero padding goes the other way:
 * its consumer absorbs it. Consecutive Dense layers chain into one step that runs rows at a time. The fused step
 * writes the consumer's output slot; shapes and per-layer tables stay those of the unfused graph, so summaries do not
 * change.
 */
final class Fusion {
    private Fusion() {}

    static List<Step> fuse(List<Step> steps, int[] outputSlots, long[][] slotShapes) {
        int slots = slotShapes.length;
        int[] readers = new int[slots];
        for (Step s : steps) {
            for (int in : s.inputs()) readers[in]++;
            if (s.maskSlots() != null) for (int m : s.maskSlots()) if (m >= 0) readers[m]++;
        }
        for (int out : outputSlots) readers[out] += 2;
        List<Step> program = new ArrayList<>(steps);
        for (int i = 0; i < program.size(); i++) {
            Step producer = program.get(i);
            if (!(producer.op() instanceof FusibleOp p) || producer.outputs().length != 1) continue;
            int slot = producer.outputs()[0];
            if (readers[slot] != 1 || slotShapes[slot] == null) continue;
            int j = consumerOf(program, i, slot);
            if (j < 0) continue;
            Step consumer = program.get(j);
            if (!(consumer.op() instanceof FusibleOp c) || consumer.inputs().length != 1 || readsMask(consumer)
                    || consumer.outputs().length != 1) continue;
            int[][] pads = p.asZeroPadding();
            if (pads != null) {
                // The consumer reads the padding's input directly, padding as it goes.
                LayerOp padded = c.afterZeroPadding(pads);
                if (padded == null || producer.inputs().length != 1 || readsMask(producer)) continue;
                program.set(j, new Step(consumer.layer(), consumer.node(), padded, producer.inputs(), null, consumer.outputs(),
                        Step.absorbed(producer, consumer, consumer.layer())));
                program.remove(i);
                i--;
                continue;
            }
            LayerOp fused = null;
            if (c.isIdentity()) {
                fused = p; // inference Dropout between two Dense layers would otherwise stop their chain
            } else {
                int rank = slotShapes[slot].length;
                int axis = p.outputChannelAxis(rank);
                float[][] affine = axis < 0 ? null : c.asChannelAffine(rank, axis);
                float[] clamp = affine == null ? c.asClamp() : null;
                int[] pool = affine == null && clamp == null ? c.asTilingMaxPool2D() : null;
                if (affine != null) fused = p.thenChannelAffine(affine[0], affine[1]);
                else if (clamp != null) fused = p.thenClamp(clamp[0], clamp[1]);
                else if (pool != null) fused = p.thenTilingMaxPool2D(pool);
            }
            if (fused == null) fused = p.thenRowwise(consumer.op());
            if (fused == null) continue;
            program.set(i, new Step(producer.layer(), producer.node(), fused, producer.inputs(), producer.maskSlots(),
                    consumer.outputs(), Step.absorbed(producer, consumer, producer.layer())));
            program.remove(j);
            i--; // the fused op may absorb the next consumer too (convolution, BatchNormalization, ReLU)
        }
        return program;
    }

    /** Keras 3 records {@code mask=None} arguments as well: only a real mask slot matters. */
    private static boolean readsMask(Step step) {
        if (step.maskSlots() == null) return false;
        for (int m : step.maskSlots()) if (m >= 0) return true;
        return false;
    }

    private static int consumerOf(List<Step> program, int after, int slot) {
        for (int j = after + 1; j < program.size(); j++) {
            for (int in : program.get(j).inputs()) if (in == slot) return j;
        }
        return -1;
    }
}
