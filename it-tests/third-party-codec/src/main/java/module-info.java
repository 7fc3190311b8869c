module com.example.toycodec {
    requires io.keras4j.api;

    provides io.keras4j.spi.Codec with com.example.toycodec.ToyCodec;
}
