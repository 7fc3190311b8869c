/** keras4j runtime: runs Keras models on the JVM in pure Java. Layers beyond the built-ins plug in via LayerProvider. */
// The module exported to is built after this one: javac would warn that it cannot find it yet.
@SuppressWarnings("module")
module io.keras4j.runtime {
    requires transitive io.keras4j.api;
    requires io.keras4j.core;
    // Optional: the Vector API matrix kernel, used when the JVM adds the module (--add-modules jdk.incubator.vector).
    requires static jdk.incubator.vector;
    requires org.slf4j;

    exports io.keras4j.runtime;
    exports io.keras4j.runtime.spi;
    // The graph interpreter reuses the matrix kernels; they are not API.
    exports io.keras4j.runtime.math to io.keras4j.tfgraph;

    uses io.keras4j.runtime.spi.LayerProvider;
    provides io.keras4j.spi.WriteCheck with io.keras4j.runtime.Keras3BuildCheck;
}
