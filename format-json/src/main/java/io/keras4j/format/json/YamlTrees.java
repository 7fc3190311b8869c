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
}
