package io.keras4j.model;

/** The generation of Keras whose JSON conventions a config follows. */
public enum Dialect {
    /** Keras 1.x: {@code output_dim}, {@code nb_filter}, {@code border_mode}, inbound nodes as {@code [name, node, tensor]}. */
    KERAS1,
    /** Keras 2.x and tf.keras: {@code units}, {@code batch_input_shape}, inbound nodes as {@code [name, node, tensor, kwargs]}. */
    KERAS2,
    /** Keras 3: {@code module}/{@code registered_name}, {@code batch_shape}, inbound nodes as {@code __keras_tensor__} args. */
    KERAS3
}
