package io.keras4j.core;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keras 1 to Keras 2: renamed layer classes ({@code Convolution2D} to {@code Conv2D}, {@code Merge} to the merge layer
 * of its mode, …) and config keys ({@code output_dim} to {@code units}, {@code border_mode} to {@code padding}, …),
 * following Keras 2.0's own legacy conversion. Weight layouts are converted by the HDF5 codec, not here.
 */
final class Keras1To2 {
    private static final Map<String, String> CLASS_RENAMES = Map.of(
            "Convolution1D", "Conv1D", "Convolution2D", "Conv2D", "Convolution3D", "Conv3D",
            "AtrousConvolution1D", "Conv1D", "AtrousConvolution2D", "Conv2D", "Deconvolution2D", "Conv2DTranspose",
            "SeparableConvolution2D", "SeparableConv2D");
    /** Keys renamed in every layer. */
    private static final Map<String, String> COMMON_KEYS = Map.ofEntries(
            Map.entry("init", "kernel_initializer"), Map.entry("W_regularizer", "kernel_regularizer"),
            Map.entry("b_regularizer", "bias_regularizer"), Map.entry("W_constraint", "kernel_constraint"),
            Map.entry("b_constraint", "bias_constraint"), Map.entry("bias", "use_bias"),
            Map.entry("border_mode", "padding"),
            Map.entry("inner_init", "recurrent_initializer"), Map.entry("inner_activation", "recurrent_activation"),
            Map.entry("U_regularizer", "recurrent_regularizer"), Map.entry("U_constraint", "recurrent_constraint"),
            Map.entry("dropout_W", "dropout"), Map.entry("dropout_U", "recurrent_dropout"),
            Map.entry("forget_bias_init", "unit_forget_bias"), Map.entry("beta_init", "beta_initializer"),
            Map.entry("gamma_init", "gamma_initializer"), Map.entry("p", "rate"));

    private Keras1To2() {}

    static Model convert(Model m) {
        return convert(m, defaultDimOrdering(m));
    }

    /**
     * Keras 1 layers omitted {@code dim_ordering} when it was the user's configured default, so the ordering some
     * layer of the model states is the one the others used ({@code tf} when none states it).
     */
    private static String defaultDimOrdering(Model m) {
        for (Layer l : m.layers()) {
            if (l.config().has("dim_ordering")) return l.config().getString("dim_ordering", "tf");
            if (l.nestedModel().isPresent()) {
                String nested = defaultDimOrdering(l.nestedModel().get());
                if (!nested.equals("tf")) return nested;
            }
        }
        return "tf";
    }

    private static final java.util.regex.Pattern SPATIAL =
            java.util.regex.Pattern.compile(".*(Convolution[23]D|Pooling[23]D|UpSampling[23]D|ZeroPadding[23]D|Cropping[23]D)");

    private static Model convert(Model m, String dimOrdering) {
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) {
            if (SPATIAL.matcher(l.className()).matches() && !l.config().has("dim_ordering")) {
                l = l.toBuilder().config(l.config().with("dim_ordering", dimOrdering)).build();
            }
            layers.add(l.nestedModel().isPresent()
                    ? l.toBuilder().nestedModel(convert(l.nestedModel().get(), dimOrdering)).build() : layer(l));
        }
        JsonObject cfg = m.config();
        if (!m.isSequential()) {
            cfg = cfg.with("input_layers", ModelWriter.refList(m.inputs())).with("output_layers", ModelWriter.refList(m.outputs()));
        }
        JsonObject entry = m.entry().without(ModelReader.LIST_CONFIG_MARK).with("keras_version", "2.1.6");
        if (!entry.has("backend")) entry = entry.with("backend", "tensorflow");
        return m.toBuilder().dialect(Dialect.KERAS2).className(m.className().equals("Model") ? "Model" : m.className())
                .config(cfg.with("name", m.name())).entry(entry).layers(layers).build();
    }

    private static Layer layer(Layer l) {
        String cls = l.className();
        JsonObject c = l.config();
        String newClass = CLASS_RENAMES.getOrDefault(cls, cls);
        JsonObject out;
        switch (cls) {
            case "Merge" -> {
                Layer merged = LegacyLayers.replace(l);
                newClass = merged.className();
                out = merged.config();
            }
            case "TimeDistributedDense" -> {
                newClass = "TimeDistributed";
                JsonObject inner = common(c.without("name", "input_length", "input_dim", "batch_input_shape", "input_dtype"), "Dense");
                out = JsonObject.builder().put("name", l.name()).put("trainable", c.getBoolean("trainable", true))
                        .put("layer", JsonObject.builder().put("class_name", "Dense").put("config", inner.with("name", l.name() + "_dense")).build())
                        .build();
                if (c.has("batch_input_shape")) out = out.with("batch_input_shape", c.get("batch_input_shape"));
            }
            default -> out = common(c, cls);
        }
        out = layerSpecific(cls, out);
        if (out.get("layer").isObject()) {
            JsonObject inner = out.getObject("layer");
            String innerCls = inner.getString("class_name", "");
            Layer innerLayer = layer(Layer.builder(inner.getObject("config").getString("name", innerCls), innerCls)
                    .config(inner.getObject("config")).build());
            out = out.with("layer", JsonObject.builder().put("class_name", innerLayer.className()).put("config", innerLayer.config()).build());
        }
        List<InboundNode> nodes = new ArrayList<>();
        for (InboundNode n : l.inboundNodes()) {
            Layer probe = Layer.builder(l.name(), newClass).build();
            nodes.add(new InboundNode(n.inputs(), n.kwargs(), ModelWriter.renderNode(new InboundNode(n.inputs(), n.kwargs(), null), Dialect.KERAS2, probe)));
        }
        return l.toBuilder().className(newClass).config(out).inboundNodes(nodes).build();
    }

    /** Keras 1 regularizers and constraints were {@code {"name": ..., args}}; Keras 2 wraps them as class and config. */
    private static JsonObject keras1Object(JsonObject o) {
        String name = o.getString("name", "");
        return switch (name) {
            case "WeightRegularizer", "ActivityRegularizer", "L1L2Regularizer" -> JsonObject.builder().put("class_name", "L1L2")
                    .put("config", JsonObject.builder().put("l1", o.getDouble("l1", 0)).put("l2", o.getDouble("l2", 0)).build()).build();
            case "MaxNorm" -> JsonObject.builder().put("class_name", "MaxNorm")
                    .put("config", JsonObject.builder().put("max_value", o.getDouble("m", 2)).put("axis", o.getLong("axis", 0)).build()).build();
            case "UnitNorm" -> JsonObject.builder().put("class_name", "UnitNorm")
                    .put("config", JsonObject.builder().put("axis", o.getLong("axis", 0)).build()).build();
            case "MinMaxNorm" -> JsonObject.builder().put("class_name", "MinMaxNorm")
                    .put("config", JsonObject.builder().put("min_value", o.getDouble("low", 0)).put("max_value", o.getDouble("high", 1))
                            .put("rate", o.getDouble("rate", 1)).put("axis", o.getLong("axis", 0)).build()).build();
            case "NonNeg" -> JsonObject.builder().put("class_name", "NonNeg").put("config", JsonObject.EMPTY).build();
            default -> o;
        };
    }

    private static JsonObject common(JsonObject c, String cls) {
        JsonObject out = c;
        for (Map.Entry<String, String> r : COMMON_KEYS.entrySet()) {
            if (cls.equals("Embedding") && r.getKey().matches("init|W_regularizer|W_constraint")) continue;
            out = out.renamed(r.getKey(), r.getValue());
        }
        for (var e : out.members().entrySet()) {
            if (e.getValue().isObject() && e.getValue().asObject().has("name") && !e.getValue().asObject().has("class_name")) {
                out = out.with(e.getKey(), keras1Object(e.getValue().asObject()));
            }
        }
        // input_dtype described the model input, not the layer's own dtype (an int32 Embedding would break).
        if (out.has("input_dtype")) {
            out = cls.equals("InputLayer") ? out.renamed("input_dtype", "dtype") : out.without("input_dtype");
        }
        if (out.has("padding") && !out.get("padding").isString() && cls.startsWith("ZeroPadding")) return out;
        if (out.get("kernel_initializer").isString()) out = out.with("kernel_initializer", initializer(out.getString("kernel_initializer", "")));
        if (out.get("recurrent_initializer").isString()) out = out.with("recurrent_initializer", initializer(out.getString("recurrent_initializer", "")));
        if (out.has("dim_ordering")) {
            String o = out.getString("dim_ordering", "tf");
            out = out.without("dim_ordering").with("data_format", o.equals("th") ? "channels_first" : "channels_last");
        }
        return out;
    }

    private static JsonObject layerSpecific(String cls, JsonObject c) {
        JsonObject out = c;
        switch (cls) {
            case "Dense", "TimeDistributedDense", "SimpleRNN", "LSTM", "GRU", "Highway", "MaxoutDense" -> out = out.renamed("output_dim", "units");
            case "Embedding" -> out = out.renamed("init", "embeddings_initializer").renamed("W_regularizer", "embeddings_regularizer")
                    .renamed("W_constraint", "embeddings_constraint").without("dropout");
            case "Convolution1D", "AtrousConvolution1D" -> out = out.renamed("nb_filter", "filters")
                    .renamed("filter_length", "kernel_size").renamed("subsample_length", "strides").renamed("atrous_rate", "dilation_rate");
            case "Convolution2D", "AtrousConvolution2D", "Deconvolution2D", "SeparableConvolution2D", "Convolution3D" -> {
                out = out.renamed("nb_filter", "filters").renamed("subsample", "strides").renamed("atrous_rate", "dilation_rate");
                JsonArray.Builder k = JsonArray.builder();
                for (String key : new String[] {"kernel_dim1", "nb_row", "kernel_dim2", "nb_col", "kernel_dim3"}) {
                    if (out.has(key)) k.add(out.get(key));
                }
                out = out.without("nb_row", "nb_col", "kernel_dim1", "kernel_dim2", "kernel_dim3", "output_shape").with("kernel_size", k.build());
            }
            case "MaxPooling1D", "AveragePooling1D" -> out = out.renamed("pool_length", "pool_size").renamed("stride", "strides");
            case "MaxPooling2D", "AveragePooling2D", "MaxPooling3D", "AveragePooling3D" -> { }
            case "BatchNormalization" -> {
                if (out.getLong("mode", 0) != 0) {
                    throw new UnsupportedModelException("Keras 1 BatchNormalization mode " + out.getLong("mode", 0)
                            + " has no Keras 2 equivalent (only mode 0 does)");
                }
                out = out.without("mode");
            }
            default -> { }
        }
        if (cls.equals("LSTM") || cls.equals("GRU") || cls.equals("SimpleRNN")) {
            out = out.without("consume_less", "input_dim", "input_length");
            if (!out.has("use_bias")) out = out.with("use_bias", true);
        }
        // Keras 1 named an initializer here ("one"); Keras 2 keeps only whether the forget bias starts at one.
        if (cls.equals("LSTM")) out = out.with("unit_forget_bias", out.getString("unit_forget_bias", "one").equals("one"));
        return out;
    }

    private static JsonValue initializer(String name) {
        String cls = switch (name) {
            case "glorot_uniform" -> "GlorotUniform";
            case "glorot_normal" -> "GlorotNormal";
            case "he_uniform" -> "HeUniform";
            case "he_normal" -> "HeNormal";
            case "lecun_uniform" -> "LecunUniform";
            case "lecun_normal" -> "LecunNormal";
            case "orthogonal" -> "Orthogonal";
            case "zero", "zeros" -> "Zeros";
            case "one", "ones" -> "Ones";
            case "uniform" -> "RandomUniform";
            case "normal" -> "RandomNormal";
            case "identity" -> "Identity";
            default -> null;
        };
        if (cls == null) return new io.keras4j.json.JsonString(name);
        JsonObject config = switch (cls) {
            case "Zeros", "Ones" -> JsonObject.EMPTY;
            case "Identity" -> JsonObject.builder().put("gain", 1.0).build();
            case "Orthogonal" -> JsonObject.builder().put("gain", 1.0).put("seed", JsonNull.INSTANCE).build();
            default -> JsonObject.builder().put("seed", JsonNull.INSTANCE).build();
        };
        return JsonObject.builder().put("class_name", cls).put("config", config).build();
    }
}
