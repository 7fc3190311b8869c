/** keras4j runtime: runs Keras models on the JVM in pure Java. Layers beyond the built-ins plug in via LayerProvider. */
module io.keras4j.runtime {
    requires transitive io.keras4j.api;
    requires io.keras4j.core;
    // Optional: the Vector API matrix kernel, used when the JVM adds the module (--add-modules jdk.incubator.vector).
    requires static jdk.incubator.vector;
    requires org.slf4j;

    exports io.keras4j.runtime;
    exports io.keras4j.runtime.spi;

    uses io.keras4j.runtime.spi.LayerProvider;
    provides io.keras4j.spi.WriteCheck with io.keras4j.runtime.Keras3BuildCheck;
}
