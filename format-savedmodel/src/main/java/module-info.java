/**
 * TensorFlow SavedModel directories: tf.keras and Keras 3 exports read; writing through a {@code SavedModelExporter}
 * (keras4j-export-tf), so that reading needs neither the graph compiler nor the runtime.
 */
module io.keras4j.format.savedmodel {
    requires transitive io.keras4j.api;
    requires io.keras4j.core;
    requires io.keras4j.format.checkpoint;
    requires com.google.protobuf;
    // protobuf (an automatic module) reads memory through sun.misc.Unsafe and reflects over the generated messages.
    requires jdk.unsupported;
    requires org.slf4j;

    exports io.keras4j.format.savedmodel;
    exports io.keras4j.format.savedmodel.spi;
    // The exporter writes the same messages the reader parses.
    exports io.keras4j.format.savedmodel.proto to io.keras4j.export.tf;
    exports io.keras4j.format.savedmodel.proto.keras to io.keras4j.export.tf;
    opens io.keras4j.format.savedmodel.proto to com.google.protobuf;
    opens io.keras4j.format.savedmodel.proto.keras to com.google.protobuf;

    uses io.keras4j.format.savedmodel.spi.SavedModelExporter;

    provides io.keras4j.spi.Codec with io.keras4j.format.savedmodel.SavedModelCodec;
}
