package io.keras4j.format.json;

import io.keras4j.spi.Codec;
import io.keras4j.spi.CodecInfo;
import io.keras4j.spi.Feature;
import io.keras4j.spi.InputKind;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import java.util.regex.Pattern;

/** Keras architecture YAML ({@code model.to_yaml()}, Keras up to 2.5), read as plain data with no tags honoured. */
public final class YamlCodec extends TextModelCodec implements Codec {
    private static final Pattern CLASS_NAME = Pattern.compile("(?m)^class_name:\\s*\\S+");
    private static final Pattern CONFIG = Pattern.compile("(?m)^config:");

    private static final CodecInfo INFO = CodecInfo.builder("yaml", YamlCodec.class)
            .description("Keras architecture YAML (to_yaml, Keras <= 2.5)")
            .reads(Feature.ARCHITECTURE)
            .writes(Feature.ARCHITECTURE)
            .inputKinds(InputKind.FILE)
            .targetSuffixes(".yaml", ".yml")
            .build();

    public YamlCodec() { super(INFO.name(), true); }

    @Override public CodecInfo info() { return INFO; }

    @Override
    public MatchStrength probe(ProbeInput input) {
        if (!input.isFile()) return MatchStrength.NO_MATCH;
        int first = input.firstNonBlankByte();
        if (first < 0 || first == '{' || input.headHasNul()) return MatchStrength.NO_MATCH;
        String head = input.headText();
        return CLASS_NAME.matcher(head).find() && CONFIG.matcher(head).find() ? MatchStrength.SOLID : MatchStrength.NO_MATCH;
    }
}
