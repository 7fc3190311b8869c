package io.keras4j.export.tf;

import io.keras4j.UnsupportedModelException;
import io.keras4j.format.savedmodel.spi.SavedModelExporter;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import java.util.Arrays;

/**
 * What every emitter needs of a layer: its weights by position, its config's tuples, the checks that refuse what
 * has no translation yet. Its own class so that the sub-emitters do not import from the dispatcher that creates them.
 */
final class EmitHelpers {
    private EmitHelpers() {}

    static Weight weight(Layer layer, int i) {
        if (layer.weights().size() <= i) {
            throw new UnsupportedModelException("layer '" + layer.name() + "' (" + layer.className() + ") has "
                    + layer.weights().size() + " weights; its TensorFlow translation needs weight " + i);
        }
        return layer.weights().get(i);
    }

    static UnsupportedModelException unsupported(Layer layer, String what) {
        return new UnsupportedModelException("layer '" + layer.name() + "' (" + layer.className() + "): " + what
                + "; the model cannot be written as a TensorFlow graph yet, nothing was written", SavedModelExporter.CODEC, null, layer.name(), null);
    }

    /**
     * A layer keras4j has no TensorFlow translation of. A custom class or a Lambda (whose Python keras4j never runs) is
     * the user's to translate: the message names the class as registered, the same whichever generation's file the
     * model came from, and the two providers writing needs (the graph, and the runtime op that infers shapes).
     */
    static UnsupportedModelException noTranslation(Layer layer, boolean kerasClass) {
        if (kerasClass && !layer.className().equals("Lambda")) return unsupported(layer, "no TensorFlow translation of this layer class");
        boolean lambda = layer.className().equals("Lambda");
        String identity = layer.customIdentity().map(id -> id.name() + ", registered as '" + id.registeredName() + "'")
                .orElse(layer.className());
        String what = (lambda ? "a Lambda layer, whose Python code keras4j never runs" : "a custom layer class keras4j cannot translate")
                + "; implement io.keras4j.export.tf.spi.GraphLayerProvider returning its TensorFlow graph (matched by "
                + (lambda ? "layer name" : "class or registered name") + ", listed in META-INF/services/io.keras4j.export.tf.spi.GraphLayerProvider), "
                + "and io.keras4j.runtime.spi.LayerProvider for its Java op, which writing needs to infer shapes";
        return new UnsupportedModelException("layer '" + layer.name() + "' (" + identity + "): " + what + "; nothing was written",
                SavedModelExporter.CODEC, null, layer.name(), null);
    }

    /** An int or a tuple such as {@code strides}, one value per spatial axis (a bare int repeated). */
    static long[] tuple(JsonObject c, String key, int rank) {
        JsonValue v = c.get(key);
        long[] values = v instanceof JsonArray a ? a.toLongs() : new long[] {c.getLong(key, 1)};
        if (values.length == rank) return values;
        long[] out = new long[rank];
        Arrays.fill(out, values[0]);
        return out;
    }

    static void checkChannelsLast(Layer layer) {
        if (layer.dataFormat().map(d -> d.equals("channels_first")).orElse(false)) {
            throw unsupported(layer, "channels_first data");
        }
    }

    /** {@code shape} when only the batch may be unknown, as a static Reshape needs. */
    static long[] staticBeyondBatch(Layer layer, long[] shape) {
        if (Arrays.stream(shape).filter(d -> d < 0).count() > 1) {
            throw unsupported(layer, "a reshape to " + Arrays.toString(shape) + " with more than one dimension unknown before run time");
        }
        return shape;
    }
}
