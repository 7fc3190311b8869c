package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed fixtures are exactly what their manifest says (same rule as oracle/check_manifest.py). */
class ZooManifestTest {

    @Test
    void committedFilesMatchTheManifestByteForByte() throws Exception {
        Zoo zoo = Zoo.committed();
        Set<Path> listed = new HashSet<>();
        listed.add(zoo.dir().resolve("manifest.json"));
        int checked = 0;
        for (Zoo.Entry e : zoo.entries()) {
            for (String key : List.of("inputs", "outputs")) {
                for (JsonValue v : e.json.getArray(key)) listed.add(exists(zoo.dir().resolve(v.asText())));
            }
            listed.add(exists(zoo.dir().resolve(e.json.getString("weights", ""))));
            for (JsonObject f : e.files()) {
                if (f.has("members")) {
                    MessageDigest all = MessageDigest.getInstance("SHA-256");
                    long bytes = 0;
                    for (JsonValue mv : f.getArray("members")) {
                        JsonObject m = mv.asObject();
                        Path p = exists(zoo.dir().resolve(m.getString("path", "")));
                        assertThat(Files.size(p)).as(m.getString("path", "")).isEqualTo(m.getLong("bytes", -1));
                        assertThat(sha256(p, null)).as(m.getString("path", "")).isEqualTo(m.getString("sha256", ""));
                        sha256(p, all);
                        bytes += Files.size(p);
                        listed.add(p);
                    }
                    assertThat(bytes).as(f.getString("path", "")).isEqualTo(f.getLong("bytes", -1));
                    assertThat(HexFormat.of().formatHex(all.digest())).as(f.getString("path", "")).isEqualTo(f.getString("sha256", ""));
                } else {
                    Path p = exists(zoo.dir().resolve(f.getString("path", "")));
                    assertThat(Files.size(p)).as(f.getString("path", "")).isEqualTo(f.getLong("bytes", -1));
                    assertThat(sha256(p, null)).as(f.getString("path", "")).isEqualTo(f.getString("sha256", ""));
                    listed.add(p);
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(100);
        try (Stream<Path> all = Files.walk(zoo.dir())) {
            List<Path> unlisted = all.filter(Files::isRegularFile).filter(p -> !listed.contains(p)).toList();
            assertThat(unlisted).as("files in fixtures/zoo that the manifest does not list").isEmpty();
        }
    }

    @Test
    void committedSetCoversEveryFormatOfBothGenerations() {
        Set<String> formats = new HashSet<>();
        for (Zoo.Entry e : Zoo.committed().entries()) for (JsonObject f : e.files()) formats.add(e.gen() + ":" + f.getString("format", ""));
        assertThat(formats).contains("k3:keras", "k3:keras-dir", "k3:h5", "k3:weights-h5", "k3:weights-sharded", "k3:json",
                "k3:savedmodel", "k3:checkpoint", "k2:h5", "k2:weights-h5-k2", "k2:checkpoint", "k2:savedmodel", "k2:json", "k2:keras");
    }

    private static Path exists(Path p) {
        assertThat(p).exists();
        return p;
    }

    private static String sha256(Path p, MessageDigest into) throws Exception {
        MessageDigest d = into != null ? into : MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        } catch (IOException e) {
            throw e;
        }
        return into != null ? null : HexFormat.of().formatHex(d.digest());
    }
}
