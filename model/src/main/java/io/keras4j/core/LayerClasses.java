package io.keras4j.core;

import io.keras4j.Keras4jException;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Refuses layer classes Keras has none of and that are not marked as custom, such as {@code "Densee"} typed in Java: a
 * file written with one loads nowhere. Reading never checks (a class a file names is a custom layer Keras wrote), so
 * this runs when a model built in Java (no source format in its provenance) is written, and on request
 * ({@link #requireKnown(Model)}) for any model. A custom layer passes when it says so the way Keras files do: a
 * registered name ({@link Layer.Builder#registeredAs(String)}, {@code package>Name}) or a module outside Keras.
 */
public final class LayerClasses {
    private static final LayerCatalogue CATALOGUE = LayerCatalogue.keras();

    private LayerClasses() {}

    /**
     * @throws Keras4jException naming every layer (and nested layer) whose class is neither Keras's nor marked custom,
     *     with the closest class Keras has
     */
    public static void requireKnown(Model model) {
        List<String> problems = new ArrayList<>();
        collect(model, "", problems);
        if (!problems.isEmpty()) {
            throw new Keras4jException("model '" + model.name() + "': " + String.join("; ", problems) + ". A custom layer "
                    + "names the package it is registered under in Keras, Layer.builder(name, className).registeredAs(\"my_package\") "
                    + "for @keras.saving.register_keras_serializable(package=\"my_package\"), so Keras can find it when loading");
        }
    }

    /** As {@link #requireKnown(Model)} for models built in Java; a model read from a file passes as Keras wrote it. */
    static void requireKnownIfBuiltInJava(Model model) {
        if (model.provenance().sourceFormat() == null) requireKnown(model);
    }

    /** {@code prefix}: the names of the nested models on the way, each followed by '/'. */
    private static void collect(Model model, String prefix, List<String> problems) {
        for (Layer layer : model.layers()) {
            String where = "layer '" + prefix + layer.name() + "'";
            if (layer.nestedModel().isPresent()) {
                collect(layer.nestedModel().get(), prefix + layer.name() + "/", problems);
                continue;
            }
            check(layer.className(), layer.isOperation() || layer.isMarkedCustom(), where, problems);
            // Wrappers (TimeDistributed, Bidirectional) hold their layers' entries inside their config.
            for (String key : new String[] {"layer", "forward_layer", "backward_layer"}) {
                JsonValue inner = layer.config().get(key);
                if (inner.isObject() && inner.asObject().get("class_name").isString()) {
                    JsonObject e = inner.asObject();
                    Layer innerLayer = Layer.builder(e.getObject("config").getString("name", key), e.getString("class_name", ""))
                            .entry(e.without("config", "class_name")).build();
                    check(innerLayer.className(), innerLayer.isMarkedCustom(), where + "'s " + key, problems);
                }
            }
        }
    }

    private static void check(String className, boolean markedCustom, String where, List<String> problems) {
        if (markedCustom || CATALOGUE.find(className).isPresent()) return;
        problems.add(where + " has class '" + className + "', which is no Keras layer class; the closest Keras has is '"
                + closest(className) + "'");
    }

    /** The Keras class (or alias) nearest to {@code className} by edit distance, ignoring case. */
    public static String closest(String className) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        List<String> names = new ArrayList<>();
        for (String c : CATALOGUE.classNames()) {
            names.add(c);
            CATALOGUE.find(c).ifPresent(row -> names.addAll(row.aliases()));
        }
        String wanted = className.toLowerCase(Locale.ROOT);
        for (String candidate : names) {
            int d = distance(wanted, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
