package com.example.toycodec;

import io.keras4j.CorruptModelException;
import io.keras4j.Keras4jException;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.spi.Codec;
import io.keras4j.spi.CodecInfo;
import io.keras4j.spi.Feature;
import io.keras4j.spi.InputKind;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A toy architecture format: a magic line, then one {@code name ClassName units} line per Dense-like layer of a
 * Sequential model. It exists to prove that a codec written against the api alone is found and used unchanged.
 */
public final class ToyCodec implements Codec {
    static final String MAGIC = "#toy-keras-model v1";

    private static final CodecInfo INFO = CodecInfo.builder("toy", ToyCodec.class)
            .description("toy line-per-layer architecture (third-party example)")
            .reads(Feature.ARCHITECTURE)
            .writes(Feature.ARCHITECTURE)
            .inputKinds(InputKind.FILE)
            .targetSuffixes(".toy")
            .build();

    @Override public CodecInfo info() { return INFO; }

    @Override
    public MatchStrength probe(ProbeInput input) {
        return ProbeInput.startsWith(input.head(), MAGIC.getBytes(StandardCharsets.US_ASCII)) ? MatchStrength.FULL : MatchStrength.NO_MATCH;
    }

    @Override
    public KerasFile read(Path source, ReadOptions options) {
        List<String> lines;
        try {
            lines = Files.readAllLines(source, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CorruptModelException.in(source).codec(INFO.name()).cause(e).because("cannot read: " + e.getMessage());
        }
        Model.Builder model = Model.builder().name("toy").className("Sequential").dialect(Dialect.KERAS3);
        for (int i = 1; i < lines.size(); i++) {
            String[] parts = lines.get(i).trim().split("\\s+");
            if (parts.length != 3) throw CorruptModelException.in(source).codec(INFO.name()).at("line " + (i + 1)).because("expected 'name ClassName units'");
            // Units unchecked on purpose: a word there escapes as a NumberFormatException, the codec bug the tests use.
            JsonObject config = JsonObject.builder().put("name", parts[0]).put("units", Long.parseLong(parts[2])).build();
            model.addLayer(Layer.builder(parts[0], parts[1]).config(config).build());
        }
        return KerasFile.builder(INFO.name(), source).model(model.build()).build();
    }

    @Override
    public void write(Model model, Path target, WriteOptions options) {
        List<String> lines = new ArrayList<>(List.of(MAGIC));
        for (Layer l : model.layers()) lines.add(l.name() + " " + l.className() + " " + l.units().orElse(0L));
        try {
            // Write beside the target, then move: a failure never leaves a half-written file.
            Path tmp = io.keras4j.spi.OutputFiles.createTempFile(target.toAbsolutePath().getParent(), ".toy", ".tmp");
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new Keras4jException("toy: cannot write " + target, e);
        }
    }
}
