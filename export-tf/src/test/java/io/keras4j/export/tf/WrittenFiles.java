package io.keras4j.export.tf;

import io.keras4j.format.savedmodel.SavedModelDir;
import io.keras4j.tf.proto.MetaGraphDef;
import io.keras4j.tf.proto.SavedModel;
import io.keras4j.tf.proto.keras.SavedMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The protos of a SavedModel directory, parsed whole: the tests compare what this module wrote with what TensorFlow wrote. */
final class WrittenFiles {
    private WrittenFiles() {}

    static MetaGraphDef metaGraph(Path dir) throws IOException {
        try (InputStream in = Files.newInputStream(dir.resolve(SavedModelDir.SAVED_MODEL_PB))) {
            return SavedModel.parseFrom(com.google.protobuf.CodedInputStream.newInstance(in)).getMetaGraphs(0);
        }
    }

    static SavedMetadata kerasMetadata(Path dir) throws IOException {
        try (InputStream in = Files.newInputStream(dir.resolve(SavedModelDir.KERAS_METADATA_PB))) {
            return SavedMetadata.parseFrom(in);
        }
    }
}
