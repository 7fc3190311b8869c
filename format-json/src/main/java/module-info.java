/** Keras architecture JSON/YAML (Keras 1, 2, 3) and dialect conversion. */
module io.keras4j.format.json {
    requires transitive io.keras4j.api;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires org.yaml.snakeyaml; // LoaderOptions: the document size limit
    requires org.slf4j;

    exports io.keras4j.format.json;

    provides io.keras4j.spi.Codec with io.keras4j.format.json.JsonCodec, io.keras4j.format.json.YamlCodec;
}
