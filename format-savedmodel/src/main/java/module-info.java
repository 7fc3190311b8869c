/** TensorFlow SavedModel directories: tf.keras and Keras 3 export read, serving SavedModels written. */
module io.keras4j.format.savedmodel {
    requires transitive io.keras4j.api;
    requires io.keras4j.format.json;
    requires io.keras4j.format.checkpoint;
    requires io.keras4j.runtime;
    requires com.google.protobuf;
    requires org.slf4j;

    exports io.keras4j.format.savedmodel;
    exports io.keras4j.format.savedmodel.spi;

    uses io.keras4j.format.savedmodel.spi.GraphLayerProvider;

    provides io.keras4j.spi.Codec with io.keras4j.format.savedmodel.SavedModelCodec;
}
