/** TensorFlow SavedModel directories: tf.keras and Keras 3 export read, serving SavedModels written. */
module io.keras4j.format.savedmodel {
    requires transitive io.keras4j.api;
    requires io.keras4j.core;
    requires io.keras4j.format.checkpoint;
    requires io.keras4j.runtime;
    requires com.google.protobuf;
    // protobuf (an automatic module) reads memory through sun.misc.Unsafe and reflects over the generated messages.
    requires jdk.unsupported;
    requires org.slf4j;

    exports io.keras4j.format.savedmodel;
    exports io.keras4j.format.savedmodel.spi;
    opens io.keras4j.format.savedmodel.proto to com.google.protobuf;
    opens io.keras4j.format.savedmodel.proto.keras to com.google.protobuf;

    uses io.keras4j.format.savedmodel.spi.GraphLayerProvider;

    provides io.keras4j.spi.Codec with io.keras4j.format.savedmodel.SavedModelCodec;
}
