/** TensorFlow checkpoints: the TensorBundle reader/writer and the Keras 2 / Keras 3 key layouts over it. */
module io.keras4j.format.checkpoint {
    requires transitive io.keras4j.api;
    requires io.keras4j.core;
    requires io.keras4j.tf.proto;
    requires com.google.protobuf;
    // protobuf (an automatic module) reads memory through sun.misc.Unsafe and reflects over the generated messages.
    requires jdk.unsupported;
    requires org.slf4j;

    exports io.keras4j.format.checkpoint;
    exports io.keras4j.format.checkpoint.bundle;

    provides io.keras4j.spi.Codec with io.keras4j.format.checkpoint.CheckpointCodec;
}
