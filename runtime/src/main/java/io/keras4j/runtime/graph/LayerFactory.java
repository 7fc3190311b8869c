package io.keras4j.runtime.graph;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import io.keras4j.runtime.layers.BuiltinOps;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerProvider;
import io.keras4j.runtime.spi.LayerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds the op of each layer: explicit providers first, then discovered ones, then the built-in layers. */
public final class LayerFactory {
    private final List<LayerProvider> providers;
    private final Dialect sourceDialect;
    private final Map<String, Layer> sourceLayers;

    /**
     * @param sourceLayers the layers as the source file spelled them (before dialect conversion), by name: their
     *     {@code registered_name} and config stay available to providers
     */
    public LayerFactory(List<LayerProvider> providers, Dialect sourceDialect, Map<String, Layer> sourceLayers) {
        this.sourceLayers = Map.copyOf(sourceLayers);
        List<LayerProvider> all = new ArrayList<>(providers);
        all.add(new BuiltinOps());
        this.providers = List.copyOf(all);
        this.sourceDialect = sourceDialect;
    }

    public LayerOp create(Layer layer) {
        Layer source = sourceLayers.getOrDefault(layer.name(), layer);
        String registered = source.registeredName().or(layer::registeredName).orElse(null);
        return create(layer.name(), layer.className(), registered, layer.module().orElse(null),
                layer.config(), source.config(), layer.weights());
    }

    /** An inner layer from its serialized entry, as wrappers ({@code TimeDistributed}, {@code Bidirectional}) hold it. */
    LayerOp createInner(JsonObject entry, List<Weight> weights) {
        JsonObject config = entry.getObject("config");
        String className = entry.getString("class_name", "?");
        return create(config.getString("name", className.toLowerCase(java.util.Locale.ROOT)), className,
                entry.getString("registered_name", null), entry.getString("module", null), config, config, weights);
    }

    private LayerOp create(String name, String className, String registeredName, String module, JsonObject config,
                           JsonObject sourceConfig, List<Weight> weights) {
        LayerSpec spec = new LayerSpec(name, className, registeredName, module, config, sourceConfig, weights,
                sourceDialect, this::createInner);
        for (LayerProvider p : providers) {
            Optional<LayerOp> op = p.create(spec);
            if (op.isPresent()) return op.get();
        }
        // tf.keras files spell a registered class as "package>Name", Keras 3 as Name beside its registered_name: one wording.
        Optional<Layer.CustomIdentity> identity = Layer.CustomIdentity.parse(className)
                .or(() -> Optional.ofNullable(registeredName).flatMap(Layer.CustomIdentity::parse));
        throw new UnsupportedModelException("layer '" + name + "' of class "
                + identity.map(id -> id.name() + " (registered as '" + id.registeredName() + "')")
                        .orElse(className + (registeredName != null ? " (registered as '" + registeredName + "')" : ""))
                + " has no Java implementation. "
                + (className.equals("Lambda")
                        ? "keras4j never runs the Python code of a Lambda layer: "
                        : "")
                + "implement io.keras4j.runtime.spi.LayerProvider returning an op for this "
                + (className.equals("Lambda") ? "layer name" : "class") + " and register it in "
                + "META-INF/services/io.keras4j.runtime.spi.LayerProvider or pass it to RuntimeOptions.builder().provider(...)");
    }
}
