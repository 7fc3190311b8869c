package io.keras4j.format.savedmodel;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.WireFormat;
import io.keras4j.CorruptModelException;
import io.keras4j.format.checkpoint.bundle.BundleReader;
import io.keras4j.format.checkpoint.bundle.TensorBundle;
import io.keras4j.tf.proto.FingerprintDef;
import io.keras4j.tf.proto.MetaGraphDef;
import io.keras4j.tf.proto.SavedModel;
import io.keras4j.tf.proto.keras.SavedMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The files of a SavedModel directory, each parsed on demand with errors that name the file. Its file names are public
 * for the exporter (keras4j-export-tf), which writes the same layout.
 */
public final class SavedModelDir {
    public static final String SAVED_MODEL_PB = "saved_model.pb";
    public static final String SAVED_MODEL_PBTXT = "saved_model.pbtxt";
    public static final String KERAS_METADATA_PB = "keras_metadata.pb";
    public static final String FINGERPRINT_PB = "fingerprint.pb";
    public static final String VARIABLES = "variables";
    public static final String ASSETS = "assets";
    /** The prefix of the variables checkpoint inside {@code variables/}. */
    public static final String VARIABLES_PREFIX = "variables/variables";
    /** SavedModel.meta_graphs: field 2, length-delimited. */
    private static final int META_GRAPHS_TAG = (SavedModel.META_GRAPHS_FIELD_NUMBER << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    /** Protobuf's own limit for one message; a larger claimed file cannot be a valid saved_model.pb. */
    private static final long MAX_PROTO_BYTES = Integer.MAX_VALUE - 8L;
    private static final int RECURSION_LIMIT = 1000;

    private final Path dir;

    private SavedModelDir(Path dir) { this.dir = dir; }

    /** Checks the directory holds a binary SavedModel; a text {@code saved_model.pbtxt} is refused clearly. */
    static SavedModelDir open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw CorruptModelException.in(dir).codec(SavedModelCodec.NAME).because("a SavedModel is a directory; " + dir + " is not one");
        }
        if (!Files.isRegularFile(dir.resolve(SAVED_MODEL_PB))) {
            if (Files.isRegularFile(dir.resolve(SAVED_MODEL_PBTXT))) {
                throw CorruptModelException.in(dir.resolve(SAVED_MODEL_PBTXT)).codec(SavedModelCodec.NAME).unsupported(
                        "text SavedModels are not supported, only the binary saved_model.pb; convert it with TensorFlow "
                                + "(tf.saved_model.load(dir) then tf.saved_model.save(obj, new_dir))");
            }
            throw CorruptModelException.in(dir).codec(SavedModelCodec.NAME).because("no saved_model.pb in " + dir);
        }
        return new SavedModelDir(dir);
    }

    Path dir() { return dir; }

    /**
     * The {@code serve} MetaGraph (the only one Keras writes), else the first, without its GraphDef: reading needs the
     * signatures, the object graph and the assets, while the graph's function library is most of the file (every
     * layer's traced call functions in a tf.keras SavedModel) and would take several times the file's size in heap.
     */
    MetaGraphDef metaGraph() {
        Path file = dir.resolve(SAVED_MODEL_PB);
        List<MetaGraphDef> graphs = new ArrayList<>();
        read(SAVED_MODEL_PB, (in, size) -> {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag != META_GRAPHS_TAG) {
                    in.skipField(tag);
                    continue;
                }
                // A stream's readTag() answers 0 at its end even inside a limit, so a MetaGraph cut short used to
                // parse as an empty one ("0 weights"): the declared length is checked against the file, and the
                // limit must be used up.
                int at = in.getTotalBytesRead();
                int length = in.readRawVarint32();
                long remaining = size - in.getTotalBytesRead();
                if (length < 0 || length > remaining) {
                    throw CorruptModelException.in(file).codec(SavedModelCodec.NAME).at("meta_graphs").offset(at)
                            .because("a MetaGraph declared as " + Integer.toUnsignedLong(length) + " bytes at offset " + at
                                    + " but only " + remaining + " bytes follow (truncated or damaged file)");
                }
                int limit = in.pushLimit(length);
                graphs.add(withoutGraphDef(in));
                if (in.getBytesUntilLimit() > 0) {
                    throw CorruptModelException.in(file).codec(SavedModelCodec.NAME).at("meta_graphs")
                            .offset(in.getTotalBytesRead()).because("the file ends inside the MetaGraph at offset " + at
                                    + ": " + in.getBytesUntilLimit() + " of its " + length + " bytes are missing");
                }
                in.popLimit(limit);
            }
            return null;
        });
        if (graphs.isEmpty()) {
            throw CorruptModelException.in(file).codec(SavedModelCodec.NAME).at("meta_graphs")
                    .because("the SavedModel holds no MetaGraph");
        }
        return graphs.stream().filter(m -> m.getMetaInfoDef().getTagsList().contains("serve")).findFirst().orElse(graphs.get(0));
    }

    /** Copies every field of the MetaGraphDef at hand but its graph_def, which is skipped unread, then parses that. */
    private static MetaGraphDef withoutGraphDef(CodedInputStream in) throws IOException {
        ByteString.Output kept = ByteString.newOutput();
        CodedOutputStream out = CodedOutputStream.newInstance(kept);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == MetaGraphDef.GRAPH_DEF_FIELD_NUMBER) in.skipField(tag);
            else in.skipField(tag, out);
        }
        out.flush();
        CodedInputStream copy = kept.toByteString().newCodedInput();
        copy.setRecursionLimit(RECURSION_LIMIT);
        return MetaGraphDef.parseFrom(copy);
    }

    Optional<SavedMetadata> kerasMetadata() {
        return Files.isRegularFile(dir.resolve(KERAS_METADATA_PB))
                ? Optional.of(parse(KERAS_METADATA_PB, SavedMetadata.parser())) : Optional.empty();
    }

    Optional<FingerprintDef> fingerprint() {
        return Files.isRegularFile(dir.resolve(FINGERPRINT_PB))
                ? Optional.of(parse(FINGERPRINT_PB, FingerprintDef.parser())) : Optional.empty();
    }

    boolean hasVariables() { return Files.isRegularFile(TensorBundle.indexFile(dir.resolve(VARIABLES_PREFIX))); }

    /** The variables checkpoint; its absence is an error once the object graph says variables exist. */
    BundleReader openVariables(int variableCount) {
        if (!hasVariables()) {
            throw CorruptModelException.in(dir.resolve(VARIABLES)).codec(SavedModelCodec.NAME).because("the SavedModel "
                    + "declares " + variableCount + " variables but " + VARIABLES_PREFIX + ".index is missing; "
                    + "copy the whole SavedModel directory, variables/ included");
        }
        return TensorBundle.open(dir.resolve(VARIABLES_PREFIX));
    }

    private <T extends Message> T parse(String name, Parser<T> parser) {
        return read(name, (in, size) -> {
            T message = parser.parseFrom(in);
            in.checkLastTagWas(0);
            return message;
        });
    }

    private interface ProtoRead<T> {
        T from(CodedInputStream in, long size) throws IOException;
    }

    /** Runs {@code read} over the file with protobuf's limits set, turning malformed bytes into an error naming it. */
    private <T> T read(String name, ProtoRead<T> read) {
        Path file = dir.resolve(name);
        CodedInputStream coded = null;
        try {
            long size = Files.size(file);
            if (size > MAX_PROTO_BYTES) {
                throw CorruptModelException.in(file).codec(SavedModelCodec.NAME)
                        .because(size + " bytes exceeds the 2 GiB limit of one protocol buffer");
            }
            try (InputStream in = Files.newInputStream(file)) {
                coded = CodedInputStream.newInstance(in);
                coded.setSizeLimit(Integer.MAX_VALUE);
                coded.setRecursionLimit(RECURSION_LIMIT);
                return read.from(coded, size);
            }
        } catch (InvalidProtocolBufferException | IndexOutOfBoundsException | IllegalArgumentException
                 | NegativeArraySizeException e) {
            // protobuf answers some impossible lengths with runtime exceptions rather than its own
            long offset = coded == null ? -1 : coded.getTotalBytesRead();
            throw CorruptModelException.in(file).codec(SavedModelCodec.NAME).offset(offset).cause(e)
                    .because("not a valid " + name + " protocol buffer (near byte " + offset + "): " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
