/**
 * TensorFlow SavedModel directories: tf.keras and Keras 3 exports read; writing through a {@code SavedModelExporter}
 * (keras4j-export-tf), so that reading needs neither the graph compiler nor the runtime.
 */
module io.keras4j.format.savedmodel {
    requires transitive io.keras4j.api;
    requires io.keras4j.core;
    requires io.keras4j.format.checkpoint;
    requires io.keras4j.tf.proto;
    requires com.google.protobuf;
    // protobuf (an automatic module) reads memory through sun.misc.Unsafe and reflects over the generated messages.
    requires jdk.unsupported;
    requires org.slf4j;

    exports io.keras4j.format.savedmodel;
    exports io.keras4j.format.savedmodel.spi;

    uses io.keras4j.format.savedmodel.spi.SavedModelExporter;

    provides io.keras4j.spi.Codec with io.keras4j.format.savedmodel.SavedModelCodec;
}
