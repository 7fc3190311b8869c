package io.keras4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CorruptModelException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File regions read the file opened at load, not whatever the path names later (issue #14). */
class TensorDataHeldFileTest {
    @TempDir Path dir;

    @Test
    void aRegionKeepsReadingTheFileItOpenedAfterThePathIsReplaced() throws IOException {
        Path file = Files.write(dir.resolve("w.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        TensorData small = TensorData.ofFile(file, 2, 4);
        TensorData.HeldFile held = TensorData.HeldFile.open(file);
        TensorData shared = held.region(0, 8);
        Path other = Files.write(dir.resolve("other.bin"), new byte[] {9, 9, 9, 9, 9, 9, 9, 9});
        Files.move(other, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertThat(bytes(small)).containsExactly(3, 4, 5, 6);
        assertThat(bytes(shared)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        Files.delete(file);
        assertThat(bytes(shared.slice(4, 2))).containsExactly(5, 6);
    }

    @Test
    void aChecksummedRegionRefusesBytesChangedInPlace() throws IOException {
        byte[] data = new byte[64];
        for (int i = 0; i < data.length; i++) data[i] = (byte) i;
        Path file = Files.write(dir.resolve("shard"), data);
        CRC32C crc = new CRC32C();
        crc.update(data, 8, 32);
        TensorData.HeldFile held = TensorData.HeldFile.open(file);
        TensorData region = held.region(8, 32, (int) crc.getValue());
        TensorData piecewise = held.region(8, 32, (int) crc.getValue());
        assertThat(bytes(region)).hasSize(32).startsWith(8, 9);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xff}), 20);
        }
        assertThatThrownBy(region::buffer).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("CRC32C").hasMessageContaining(file.toString()).hasMessageContaining("offset 8");
        assertThatThrownBy(() -> piecewise.slice(4, 4)).isInstanceOf(CorruptModelException.class).hasMessageContaining("CRC32C");
    }

    /** A large checked tensor is read from the mapped file (no heap copy), checked on those bytes and at every read. */
    @Test
    void aLargeChecksummedRegionIsMappedAndStillChecked() throws IOException {
        byte[] data = new byte[(3 << 20) + 5];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31);
        Path file = Files.write(dir.resolve("big"), data);
        CRC32C crc = new CRC32C();
        crc.update(data, 5, data.length - 5);
        TensorData.HeldFile held = TensorData.HeldFile.open(file);
        assertThat(held.crc32c(5, data.length - 5)).isEqualTo((int) crc.getValue());
        TensorData region = held.region(5, data.length - 5, (int) crc.getValue());
        ByteBuffer whole = region.buffer();
        assertThat(whole.isDirect()).as("mapped, not copied into the heap").isTrue();
        assertThat(bytes(whole)).isEqualTo(java.util.Arrays.copyOfRange(data, 5, data.length));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (data[2 << 20] + 1)}), 2 << 20);
        }
        assertThatThrownBy(region::buffer).isInstanceOf(CorruptModelException.class).hasMessageContaining("CRC32C");
        TensorData truncated = held.region(5, data.length - 5, (int) crc.getValue());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(1 << 20);
        }
        assertThatThrownBy(truncated::buffer).hasMessageContaining(file.toString()).hasMessageContaining("offset 5")
                .rootCause().hasMessageContaining("ends before byte");
    }

    private static byte[] bytes(TensorData d) { return bytes(d.buffer()); }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
