package io.keras4j.format.json;

import io.keras4j.spi.Codec;
import io.keras4j.spi.CodecInfo;
import io.keras4j.spi.Feature;
import io.keras4j.spi.InputKind;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;

/** Keras architecture JSON ({@code model.to_json()}, {@code get_config()}), Keras 1, 2 and 3 dialects. */
public final class JsonCodec extends TextModelCodec implements Codec {
    private static final CodecInfo INFO = CodecInfo.builder("json", JsonCodec.class)
            .description("Keras architecture JSON (to_json), Keras 1/2/3 dialects")
            .reads(Feature.ARCHITECTURE)
            .writes(Feature.ARCHITECTURE)
            .inputKinds(InputKind.FILE)
            .targetSuffixes(".json")
            .build();

    public JsonCodec() { super(INFO.name(), false); }

    @Override public CodecInfo info() { return INFO; }

    /**
     * A JSON object whose head names a Keras class and config is SOLID; a JSON object alone is WEAK. Never FULL:
     * any JSON file could look like this. Sharded-weights indexes ({@code weight_map}) are not ours.
     */
    @Override
    public MatchStrength probe(ProbeInput input) {
        if (!input.isFile()) return MatchStrength.NO_MATCH;
        int first = input.firstNonBlankByte();
        if (first != '{' && first != '[') return MatchStrength.NO_MATCH;
        String head = input.headText();
        if (head.contains("\"weight_map\"")) return MatchStrength.NO_MATCH;
        boolean keras = head.contains("\"class_name\"") && head.contains("\"config\"");
        return keras ? MatchStrength.SOLID : MatchStrength.WEAK;
    }
}
