package io.keras4j.format.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CorruptModelException;
import io.keras4j.format.h5.testing.Zoo;
import io.keras4j.json.JsonObject;
import io.keras4j.spi.ReadOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * java.util.zip.ZipFile never checks a member's CRC-32; Keras's zipfile does ("Bad CRC-32"). Compressed members are
 * streamed (texts read, weights extracted), so their check is the streamed one; a wrong CRC recorded in the central
 * directory stands for any damaged member.
 */
class MemberCrcTest {
    private final KerasArchiveCodec codec = new KerasArchiveCodec();
    @TempDir Path dir;

    @Test
    void aDeflatedArchiveReadsWithKerasWeightsAndABadCrcOfAnyMemberIsRefused() throws IOException {
        Zoo zoo = Zoo.require();
        JsonObject mlp = zoo.models().stream().filter(m -> Zoo.id(m).equals("mlp-k3")).findFirst().orElseThrow();
        Path deflated = deflate(zoo.files(mlp, "keras").get(0), dir.resolve("deflated.keras"));
        Zoo.assertWeightsEqual(codec.read(deflated, ReadOptions.DEFAULT).model().orElseThrow(), zoo.weights(mlp), "deflated");
        for (String member : new String[] {"config.json", "metadata.json", "model.weights.h5"}) {
            Path bad = Files.copy(deflated, dir.resolve(member + ".keras"));
            corruptCentralCrc(bad, member);
            assertThatThrownBy(() -> codec.read(bad, ReadOptions.DEFAULT)).as(member).isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("bad CRC-32 for member " + member).hasMessageContaining(bad.toString());
        }
    }

    private static Path deflate(Path stored, Path out) throws IOException {
        try (ZipFile in = new ZipFile(stored.toFile()); OutputStream os = Files.newOutputStream(out);
             ZipOutputStream zip = new ZipOutputStream(os)) {
            for (ZipEntry e : Collections.list(in.entries())) {
                zip.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream is = in.getInputStream(e)) {
                    is.transferTo(zip);
                }
                zip.closeEntry();
            }
        }
        return out;
    }

    /** Adds one to the CRC-32 the central directory records for {@code member} (what ZipFile's getCrc() answers). */
    private static void corruptCentralCrc(Path archive, String member) throws IOException {
        byte[] bytes = Files.readAllBytes(archive);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] name = member.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at + 46 <= bytes.length; at++) {
            if (b.getInt(at) != 0x02014b50 || Short.toUnsignedInt(b.getShort(at + 28)) != name.length) continue;
            if (!new String(bytes, at + 46, name.length, StandardCharsets.UTF_8).equals(member)) continue;
            b.putInt(at + 16, b.getInt(at + 16) + 1);
            Files.write(archive, bytes);
            return;
        }
        throw new AssertionError("no central directory entry for " + member);
    }
}
