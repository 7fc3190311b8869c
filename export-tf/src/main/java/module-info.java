/**
 * Keras models compiled into TensorFlow graphs and written as SavedModels: the savedmodel codec's exporter. Custom
 * and Lambda layers plug in their TensorFlow ops through {@code GraphLayerProvider}.
 */
module io.keras4j.export.tf {
    requires transitive io.keras4j.api;
    requires io.keras4j.core;
    requires io.keras4j.format.checkpoint;
    requires io.keras4j.format.savedmodel;
    requires io.keras4j.runtime;
    requires io.keras4j.tf.proto;
    requires com.google.protobuf;
    // protobuf (an automatic module) reads memory through sun.misc.Unsafe.
    requires jdk.unsupported;
    requires org.slf4j;

    exports io.keras4j.export.tf.spi;

    uses io.keras4j.export.tf.spi.GraphLayerProvider;

    provides io.keras4j.format.savedmodel.spi.SavedModelExporter with io.keras4j.export.tf.TfSavedModelExporter;
}
