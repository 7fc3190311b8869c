/** TensorFlow checkpoints: the TensorBundle reader/writer and the Keras 2 / Keras 3 key layouts over it. */
module io.keras4j.format.checkpoint {
    requires transitive io.keras4j.api;
    requires com.google.protobuf;
    requires org.slf4j;

    exports io.keras4j.format.checkpoint;
    exports io.keras4j.format.checkpoint.bundle;

    provides io.keras4j.spi.Codec with io.keras4j.format.checkpoint.CheckpointCodec;
}
