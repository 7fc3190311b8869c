package io.keras4j.core;

import java.util.Map;
import java.util.Optional;

/**
 * What tf.keras's {@code TFOpLambda} layers call: the TensorFlow function is named in the config
 * ({@code "function": "nn.relu"}); those that are Keras activations map to the activation's name.
 */
public final class TfOpLambdas {
    private static final Map<String, String> ACTIVATIONS = Map.ofEntries(
            Map.entry("nn.relu", "relu"), Map.entry("nn.relu6", "relu6"), Map.entry("math.sigmoid", "sigmoid"),
            Map.entry("nn.sigmoid", "sigmoid"), Map.entry("math.tanh", "tanh"), Map.entry("nn.tanh", "tanh"),
            Map.entry("math.exp", "exponential"), Map.entry("nn.softmax", "softmax"), Map.entry("math.softmax", "softmax"),
            Map.entry("nn.silu", "silu"), Map.entry("nn.swish", "silu"), Map.entry("nn.gelu", "gelu"),
            Map.entry("nn.elu", "elu"), Map.entry("nn.selu", "selu"), Map.entry("math.softplus", "softplus"),
            Map.entry("nn.softplus", "softplus"), Map.entry("nn.log_softmax", "log_softmax"));

    private TfOpLambdas() {}

    /** The Keras activation a TensorFlow function ({@code nn.relu}) computes, if it is one. */
    public static Optional<String> activation(String function) { return Optional.ofNullable(ACTIVATIONS.get(function)); }
}
