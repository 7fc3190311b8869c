package io.keras4j.format.json;

import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.keras4j.core.JsonTrees;
import io.keras4j.json.JsonValue;
import java.nio.file.Path;

/**
 * YAML text to and from the api's {@link JsonValue} tree, through the model core's Jackson streaming. YAML is read
 * as plain data: tags such as {@code !!python/tuple} are ignored and no object is ever constructed from them.
 */
final class YamlTrees {
    private static final YAMLFactory YAML = YAMLFactory.builder()
            // SnakeYAML stops at 3 MiB by default, below what keras4j writes for a large model (#14: a 4.6 MB YAML it
            // wrote could not be read back); the file-size cap of the text codecs bounds the document instead.
            .loaderOptions(loaderOptions())
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();

    private YamlTrees() {}

    private static org.yaml.snakeyaml.LoaderOptions loaderOptions() {
        org.yaml.snakeyaml.LoaderOptions options = new org.yaml.snakeyaml.LoaderOptions();
        options.setCodePointLimit((int) TextModelCodec.MAX_TEXT_BYTES);
        return options;
    }

    static JsonValue parse(String text, Path source, String codec) { return JsonTrees.parse(YAML, "YAML", text, source, codec); }

    static String write(JsonValue value) { return JsonTrees.write(YAML, value, false); }

    /** YAML's document end marker, which keras4j writes last so that a cut copy can be told from a whole one. */
    static final String END_MARKER = "...";

    /** The YAML of a model file: the document, then {@link #END_MARKER}. */
    static String writeDocument(JsonValue value) {
        String text = write(value);
        return text + (text.endsWith("\n") ? "" : "\n") + END_MARKER + "\n";
    }

    /**
     * Refuses a YAML model that may have been cut short (issue #14). YAML has no closing brackets, so a copy cut at a
     * line boundary parses as a smaller model. A whole file shows its end: keras4j's YAML ends with the document end
     * marker, and Keras's {@code to_yaml} dumps its keys sorted, so its {@code keras_version} comes after
     * {@code config} (a cut inside the config leaves no {@code keras_version}).
     */
    static void requireWhole(String text, JsonValue tree, Path source, String codec) {
        if (lastLine(text).equals(END_MARKER)) return;
        if (tree.isObject()) {
            java.util.List<String> keys = java.util.List.copyOf(tree.asObject().keys());
            int config = keys.indexOf("config"), version = keys.indexOf("keras_version");
            if (config >= 0 && version > config) return;
        }
        long lines = text.lines().count();
        throw io.keras4j.CorruptModelException.in(source).codec(codec).at("line " + lines).offset(text.length())
                .because("the YAML ends after line " + lines + " without its end: neither keras4j's closing '"
                        + END_MARKER + "' nor a top-level keras_version after the config, as Keras's to_yaml writes it;"
                        + " the file looks truncated (if it is a whole YAML of Keras before 1.2, add a last line '"
                        + END_MARKER + "')");
    }

    private static String lastLine(String text) {
        String trimmed = text.stripTrailing();
        int nl = trimmed.lastIndexOf('\n');
        return trimmed.substring(nl + 1).strip();
    }
}
