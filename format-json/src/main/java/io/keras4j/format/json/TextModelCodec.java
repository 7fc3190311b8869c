package io.keras4j.format.json;

import io.keras4j.CorruptModelException;
import io.keras4j.Keras4jException;
import io.keras4j.core.JsonTrees;
import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import io.keras4j.spi.OutputFiles;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Shared read and write of the two text architecture codecs; they differ only in the syntax. */
abstract class TextModelCodec {
    /** Architecture files are small; a larger one is not a Keras config and is refused before it is read. */
    static final long MAX_TEXT_BYTES = 256L * 1024 * 1024;

    private final String name;
    private final boolean yaml;

    TextModelCodec(String name, boolean yaml) {
        this.name = name;
        this.yaml = yaml;
    }

    public KerasFile read(Path source, ReadOptions options) {
        String text = readText(source);
        JsonValue tree = yaml ? YamlTrees.parse(text, source, name) : JsonTrees.parseJson(text, source, name);
        if (yaml) YamlTrees.requireWhole(text, tree, source, name);
        Model model = KerasJson.readModel(tree, source, name);
        return KerasFile.builder(name, source).model(model).build();
    }

    public void write(Model model, Path target, WriteOptions options) {
        JsonValue tree = KerasJson.toTree(model, options.dialect() == Dialect.KERAS1 ? Dialect.KERAS2 : options.dialect(),
                options.allowSemanticChange());
        String text = yaml ? YamlTrees.writeDocument(tree) : JsonTrees.toJson(tree, false);
        // A JSON/YAML architecture is replaced as Keras would; a binary file or a device is not.
        OutputFiles.checkReplaceable(target.toAbsolutePath(), name, false, OutputFiles.overwrite(options),
                TextModelCodec::looksLikeText);
        writeAtomically(target, text);
    }

    /** No NUL and no control bytes but whitespace in the first 4 KiB: a text file, likely an earlier config. */
    private static boolean looksLikeText(Path file) {
        try (var in = Files.newInputStream(file)) {
            for (byte b : in.readNBytes(4096)) if (b >= 0 && b < 0x20 && b != '\n' && b != '\r' && b != '\t') return false;
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String readText(Path source) {
        try {
            long size = Files.size(source);
            if (size > MAX_TEXT_BYTES) {
                throw CorruptModelException.in(source).codec(name).because("a " + size + "-byte file is too large for an architecture config");
            }
            return decodeUtf8(Files.readAllBytes(source), source);
        } catch (IOException e) {
            throw CorruptModelException.in(source).codec(name).cause(e).because("cannot read: " + e.getMessage());
        }
    }

    /** The text, or a CorruptModelException at the byte offset of the first byte that is not UTF-8. */
    private String decodeUtf8(byte[] bytes, Path source) {
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) r = decoder.flush(out);
        if (r.isError()) {
            throw CorruptModelException.in(source).codec(name).offset(in.position())
                    .because("not UTF-8 text: " + r.length() + " malformed byte(s) at byte offset " + in.position());
        }
        return out.flip().toString();
    }

    static void writeAtomically(Path target, String text) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = OutputFiles.createTempFile(dir, "." + target.getFileName(), ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new Keras4jException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort */ }
        }
    }
}
