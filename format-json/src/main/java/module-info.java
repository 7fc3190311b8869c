/** Keras architecture JSON and YAML codecs (Keras 1, 2, 3); the model semantics they read and write are io.keras4j.core's. */
module io.keras4j.format.json {
    requires transitive io.keras4j.api;
    requires io.keras4j.core;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires org.yaml.snakeyaml; // LoaderOptions: the document size limit
    requires org.slf4j;
    exports io.keras4j.format.json;
    provides io.keras4j.spi.Codec with io.keras4j.format.json.JsonCodec, io.keras4j.format.json.YamlCodec;
}
