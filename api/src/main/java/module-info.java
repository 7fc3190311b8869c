/** keras4j's API: the model values, tensors, NumPy files and the codec SPI. Depends on slf4j-api only. */
module io.keras4j.api {
    requires org.slf4j;

    exports io.keras4j;
    exports io.keras4j.json;
    exports io.keras4j.model;
    exports io.keras4j.spi;
    exports io.keras4j.tensor;

    uses io.keras4j.spi.Codec;
}
