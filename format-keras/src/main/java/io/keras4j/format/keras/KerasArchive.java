package io.keras4j.format.keras;

import io.keras4j.CorruptModelException;
import io.keras4j.Keras4jException;
import io.keras4j.UnsupportedModelException;
import io.keras4j.format.h5.KerasH5;
import io.keras4j.core.Dialects;
import io.keras4j.core.KerasJson;
import io.keras4j.core.TrainingConfigs;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import io.keras4j.model.Provenance;
import io.keras4j.spi.OutputFiles;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.TensorData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The {@code .keras} archive as Keras 3 writes it ({@code saving_lib.save_model}): {@code metadata.json},
 * {@code config.json} and {@code model.weights.h5}, all stored uncompressed, in a zip or a directory.
 */
final class KerasArchive {
    static final String CODEC = "keras";
    static final String KERAS_VERSION = "3.15.1";
    static final String ZIPPED = CODEC + ".zipped";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KerasArchive.class);
    private static final String CONFIG = "config.json";
    private static final String METADATA = "metadata.json";
    private static final String WEIGHTS = "model.weights.h5";
    private static final long MAX_TEXT = SafeZip.MAX_TEXT;

    private KerasArchive() {}

    static KerasFile read(Path source) {
        if (Files.isDirectory(source)) {
            String config = readText(source, CONFIG);
            String metadata = Files.isRegularFile(source.resolve(METADATA)) ? readText(source, METADATA) : "{}";
            Path weights = source.resolve(WEIGHTS);
            return assemble(source, config, metadata, Files.isRegularFile(weights)
                    ? architecture -> KerasH5.readWeightsInto(architecture, weights, false, CODEC) : UnaryOperator.identity());
        }
        SafeZip zip = new SafeZip(source);
        Path tmp = null;
        try {
            String config = zip.text(CONFIG);
            String metadata = zip.has(METADATA) ? zip.text(METADATA) : "{}";
            if (!zip.has(WEIGHTS) && zip.has("model.weights.npz")) {
                throw CorruptModelException.in(source).codec(CODEC).at("model.weights.npz")
                        .unsupported("npz weights (pickled dicts) are not supported yet; re-save with the h5 weights store");
            }
            // Keras always writes the weights member and refuses an archive without one ("Expected a model.weights.h5
            // or model.weights.npz file"): a damaged member name must not load as a model that has no weights.
            if (!zip.has(WEIGHTS)) {
                throw CorruptModelException.in(source).codec(CODEC).at(WEIGHTS).because("the archive has no " + WEIGHTS
                        + " (members: " + zip.names() + ")");
            }
            // Held from here on: the weights stay regions of this open archive, whatever later happens to its path.
            TensorData.HeldFile held = TensorData.HeldFile.open(source);
            Optional<StoredMember> stored = StoredMember.locate(held, WEIGHTS);
            if (stored.isPresent()) {
                // Keras stores members uncompressed: the weights are read where they lie in the archive, once
                // checked against the member's CRC-32 (as Keras's zipfile does) before any value is used.
                StoredMember m = stored.get();
                verifyCrc32(held, m, WEIGHTS);
                return assemble(source, config, metadata,
                        architecture -> KerasH5.readEmbeddedWeightsInto(architecture, held, m.dataOffset(), m.size(), CODEC));
            }
            Path extracted = tmp = Files.createTempFile("keras4j-", ".weights.h5");
            zip.extract(WEIGHTS, extracted);
            return assemble(source, config, metadata,
                    architecture -> KerasH5.readWeightsInto(architecture, extracted, true, CODEC));
        } catch (IOException e) {
            throw CorruptModelException.in(source).codec(CODEC).cause(e).because("cannot unpack: " + e.getMessage());
        } finally {
            zip.close();
            if (tmp != null) {
                try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* temp file */ }
            }
        }
    }

    private static void verifyCrc32(TensorData.HeldFile held, StoredMember m, String name) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 16, Math.max(m.size(), 1)));
        for (long pos = m.dataOffset(), end = m.dataOffset() + m.size(); pos < end; pos += buf.limit()) {
            buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
            held.readFully(buf, pos);
            crc.update(buf.flip());
        }
        int computed = (int) crc.getValue();
        if (computed != m.crc32()) {
            throw CorruptModelException.in(held.path()).codec(CODEC).at(name).offset(m.dataOffset()).because(String.format(
                    "bad CRC-32 for member %s (stored 0x%08x, computed 0x%08x): the archive is damaged", name, m.crc32(), computed));
        }
    }

    private static KerasFile assemble(Path source, String configText, String metadataText, UnaryOperator<Model> withWeights) {
        JsonValue metadata = KerasJson.parse(metadataText, source);
        Model model = withWeights.apply(KerasJson.readModel(KerasJson.parse(configText, source), source));
        String version = metadata.asObject().getString("keras_version", null);
        Provenance provenance = new Provenance(version, null, CODEC);
        return KerasFile.builder(CODEC, source).model(model.toBuilder().provenance(provenance).build())
                .details(JsonObject.builder().put("metadata", metadata).build()).provenance(provenance).build();
    }

    private static String readText(Path dir, String name) {
        Path p = dir.resolve(name);
        try {
            if (!Files.isRegularFile(p)) throw CorruptModelException.in(dir).codec(CODEC).at(name).because("missing " + name);
            if (Files.size(p) > MAX_TEXT) throw CorruptModelException.in(dir).codec(CODEC).at(name).because(name + " is too large");
            return Files.readString(p);
        } catch (IOException e) {
            throw CorruptModelException.in(dir).codec(CODEC).at(name).cause(e).because("unreadable: " + e.getMessage());
        }
    }

    /**
     * The model's compile settings as Keras 3 restores them ({@code compile_config}), translated from a tf.keras or
     * Keras 3 {@code .h5}'s {@code training_config} when the source had no {@code compile_config}: a converted file
     * keeps its loss, metrics and optimizer. Settings Keras 3 cannot express are refused, or dropped with a warning
     * when a semantic change is allowed.
     */
    private static JsonObject withCompileConfig(JsonObject tree, Model k3, WriteOptions options) {
        if (tree.has("compile_config") || k3.trainingConfig().isEmpty()) return tree;
        try {
            return TrainingConfigs.keras3(k3.trainingConfig().get(), k3.name()).map(c -> tree.with("compile_config", c)).orElse(tree);
        } catch (UnsupportedModelException e) {
            if (!options.allowSemanticChange()) throw e;
            LOG.warn("{}: compile settings dropped (semantic change allowed): {}", CODEC, e.getMessage());
            return tree;
        }
    }

    static void write(Model model, Path target, WriteOptions options) {
        if (options.weightsOnly()) throw new UnsupportedModelException(CODEC + ": a .keras archive always holds the architecture");
        Model k3 = Dialects.withKeras3Modules(model.dialect() == Dialect.KERAS3 ? model
                : Dialects.convertForWriting(model, Dialect.KERAS3, options.allowSemanticChange()));
        String config = KerasJson.toText(withCompileConfig(KerasJson.toTree(k3, Dialect.KERAS3), k3, options), false);
        String metadata = KerasJson.toText(JsonObject.builder().put("keras_version", KERAS_VERSION)
                .put("date_saved", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss"))).build(), false);
        boolean zipped = zipped(options);
        // A zip (PK) file is replaced as Keras replaces it; anything else only when asked, a device never.
        if (zipped) {
            OutputFiles.checkReplaceable(target.toAbsolutePath(), CODEC, false, OutputFiles.overwrite(options),
                    p -> OutputFiles.startsWith(p, new byte[] {'P', 'K'}));
        }
        Path dir = target.toAbsolutePath().getParent();
        Path work = null;
        try {
            work = OutputFiles.createTempDirectory(dir, "." + target.getFileName() + ".");
            Files.writeString(work.resolve(METADATA), metadata);
            Files.writeString(work.resolve(CONFIG), config);
            // Laid out from the source model, with any weights the conversion rescaled to keep the meaning.
            KerasH5.writeWeights(Dialects.withCarriedWeights(model, k3), work.resolve(WEIGHTS), options.includeOptimizer());
            if (zipped) {
                Path zip = work.resolve("archive.keras");
                zip(work, zip);
                Files.move(zip, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                if (Files.exists(target)) throw new UnsupportedModelException(CODEC + ": will not replace the directory " + target);
                Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
                work = null;
            }
        } catch (IOException e) {
            throw new Keras4jException(CODEC + ": cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (work != null) deleteTree(work);
        }
    }

    /** {@code keras.zipped}: checked before anything is written, as a misspelt value must not silently pick a form. */
    private static boolean zipped(WriteOptions options) {
        String value = options.property(ZIPPED).orElse("true");
        if (!value.equals("true") && !value.equals("false")) {
            throw new io.keras4j.InvalidOptionException(CODEC, ZIPPED, value, "true or false");
        }
        return Boolean.parseBoolean(value);
    }

    /** Keras's member order, every member ZIP_STORED as zipfile.ZipFile(…, "w") writes them. */
    private static void zip(Path work, Path zip) throws IOException {
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (String name : new String[] {METADATA, CONFIG, WEIGHTS}) {
                Path p = work.resolve(name);
                ZipEntry e = new ZipEntry(name);
                e.setMethod(ZipEntry.STORED);
                e.setSize(Files.size(p));
                e.setCompressedSize(Files.size(p));
                e.setCrc(crc(p));
                out.putNextEntry(e);
                Files.copy(p, out);
                out.closeEntry();
            }
        }
    }

    private static long crc(Path p) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) crc.update(buf, 0, n);
        }
        return crc.getValue();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try { Files.deleteIfExists(p); } catch (IOException ignored) { /* best effort */ }
            });
        } catch (IOException ignored) { /* best effort */ }
    }
}
