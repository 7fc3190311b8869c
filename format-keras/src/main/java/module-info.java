/** The Keras 3 .keras archive (zip or directory). */
module io.keras4j.format.keras {
    requires transitive io.keras4j.api;
    requires io.keras4j.core;
    requires io.keras4j.format.h5;
    requires org.slf4j;

    exports io.keras4j.format.keras;

    provides io.keras4j.spi.Codec with io.keras4j.format.keras.KerasArchiveCodec;
}
