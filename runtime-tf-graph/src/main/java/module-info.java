/**
 * Runs SavedModel signatures in pure Java by interpreting their TensorFlow graphs (function library, resource
 * variables, control flow), reusing the runtime's matrix kernels.
 */
module io.keras4j.tfgraph {
    requires transitive io.keras4j.api;
    requires io.keras4j.runtime;
    requires io.keras4j.format.checkpoint;
    requires io.keras4j.tf.proto;
    requires com.google.protobuf;
    // protobuf (an automatic module) reads memory through sun.misc.Unsafe.
    requires jdk.unsupported;
    requires org.slf4j;

    exports io.keras4j.tfgraph;
}
