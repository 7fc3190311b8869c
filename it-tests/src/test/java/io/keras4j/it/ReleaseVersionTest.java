package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.cli.Main;
import io.keras4j.spi.Codec;
import io.keras4j.spi.CodecInfo;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code keras4j --version} and {@code keras4j codecs} report the release from the jars' manifests
 * ({@code Implementation-Version}), on the class path and on the module path. In a reactor {@code verify} the modules
 * are jars; when they are a build's class directories (a plain {@code mvn test}) there is no manifest and the
 * answer must be {@code dev}.
 */
class ReleaseVersionTest {
    static String release;

    @BeforeAll
    static void release() {
        release = System.getProperty("keras4j.version", "");
        assertThat(release).as("keras4j.version, the project version the build passes to tests").isNotBlank();
    }

    static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String expected(Class<?> type) {
        return Files.isRegularFile(location(type)) ? release : "dev";
    }

    @Test
    void versionOptionPrintsTheCliJarsVersion() {
        CliTest.Run r = CliTest.run("--version");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip()).as("from %s", location(Main.class)).isEqualTo("keras4j " + expected(Main.class));
    }

    @Test
    void codecsListsEachCodecsJarVersion() {
        CliTest.Run r = CliTest.run("codecs");
        assertThat(r.code()).as(r.err()).isZero();
        List<Codec> codecs = new ArrayList<>(Keras4j.create().registry().codecs());
        assertThat(codecs).extracting(c -> c.info().name()).contains("h5", "keras", "savedmodel", "toy");
        for (Codec c : codecs) {
            CodecInfo info = c.info();
            assertThat(info.version()).as("%s from %s", info.name(), location(c.getClass())).isEqualTo(expected(c.getClass()));
            assertThat(r.out()).containsPattern("(?m)^" + info.name() + "\\s+" + Pattern.quote(info.version()) + "\\s");
        }
    }

    /** A named module's packages carry no manifest versioning, so the module's own manifest is read instead. */
    @Test
    void versionOnTheModulePath() throws Exception {
        Path api = location(Keras4j.class);
        Path slf4j = location(LoggerFactory.class);
        ModuleFinder finder = ModuleFinder.of(api, slf4j);
        Configuration cf = ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), Set.of("io.keras4j.api"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Class<?> inModule = layer.findLoader("io.keras4j.api").loadClass(Keras4j.class.getName());
        assertThat(inModule.getModule().isNamed()).isTrue();
        assertThat(inModule.getMethod("version").invoke(null)).as("from %s", api).isEqualTo(expected(Keras4j.class));
    }
}
