/**
 * The TensorFlow and tf-keras protobuf messages of checkpoints and SavedModels, each defined once. Wire types, not
 * API: exported only to the modules that read and write those files.
 */
// The modules exported to are built after this one: javac would warn that it cannot find them yet.
@SuppressWarnings("module")
module io.keras4j.tf.proto {
    requires com.google.protobuf;
    // protobuf (an automatic module) reads memory through sun.misc.Unsafe.
    requires jdk.unsupported;

    exports io.keras4j.tf.proto to io.keras4j.format.checkpoint, io.keras4j.format.savedmodel, io.keras4j.export.tf,
            io.keras4j.tfgraph;
    exports io.keras4j.tf.proto.keras to io.keras4j.format.savedmodel, io.keras4j.export.tf;
    // protobuf reflects over the generated messages.
    opens io.keras4j.tf.proto to com.google.protobuf;
    opens io.keras4j.tf.proto.keras to com.google.protobuf;
}
