/**
 * The Keras model core: Keras config JSON of every generation, dialect conversion, the layer catalogue and the call
 * plan. Every codec and the runtime stand on it; it knows no file format.
 */
module io.keras4j.core {
    requires transitive io.keras4j.api;
    // JsonTrees.parse/write take a Jackson factory, so the YAML codec can stream its own syntax through them.
    requires transitive com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    exports io.keras4j.core;
    // Checks that know more than configs (the runtime's shape inference) refuse conversions the target cannot load.
    uses io.keras4j.spi.WriteCheck;
}
