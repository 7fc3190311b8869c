package io.keras4j.format.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.UnsupportedModelException;
import io.keras4j.format.savedmodel.spi.SavedModelExporter;
import io.keras4j.model.Model;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing goes through a {@link SavedModelExporter}; without keras4j-export-tf the codec reads but refuses to write. */
class SavedModelExporterTest {
    private final SavedModelCodec codec = new SavedModelCodec();

    private Model mlp() {
        return codec.read(Fixtures.zoo().resolve("mlp/k2/savedmodel"), ReadOptions.DEFAULT).model().orElseThrow();
    }

    @Test
    void withoutAnExporterWritingNamesTheModuleToAddAndWritesNothing(@TempDir Path tmp) {
        Path target = tmp.resolve("out");
        // This module's tests do not have keras4j-export-tf: the codec finds no exporter, as a reader-only user would.
        assertThatThrownBy(() -> codec.write(mlp(), target, WriteOptions.DEFAULT)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("writing a SavedModel needs keras4j-export-tf on the class path").hasMessageContaining(target.toString());
        assertThatThrownBy(() -> ExporterLookup.write(mlp(), target, WriteOptions.DEFAULT, List.of()))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("keras4j-export-tf");
        assertThat(Files.exists(target)).isFalse();
    }

    @Test
    void theFirstExporterFoundWritesWithTheCallersArguments(@TempDir Path tmp) {
        Model model = mlp();
        List<Object> calls = new ArrayList<>();
        SavedModelExporter first = (m, t, o) -> calls.addAll(List.of(m, t, o));
        SavedModelExporter second = (m, t, o) -> calls.add("second");
        WriteOptions options = WriteOptions.DEFAULT.withProperty(SavedModelExporter.KERAS_OBJECTS, "false");
        ExporterLookup.write(model, tmp.resolve("out"), options, List.of(first, second));
        assertThat(calls).containsExactly(model, tmp.resolve("out"), options);
    }

    @Test
    void theExporterContractNamesThisCodecAndItsWriteProperty() {
        assertThat(SavedModelExporter.CODEC).isEqualTo(codec.info().name());
        assertThat(codec.info().writeProperties()).extracting(p -> p.key()).contains(SavedModelExporter.KERAS_OBJECTS);
    }
}
