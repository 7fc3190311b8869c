package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.spi.KnownFormats;
import io.keras4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * keras4j-bom lists exactly the deployed library modules, at the project's version: it has no parent (so that it
 * pins no third-party versions), so nothing else keeps it in step with the reactor.
 */
class BomTest {
    /** Deployed, but an application rather than a library. */
    private static final Set<String> APPLICATIONS = Set.of("keras4j-cli");

    static Element pom(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()).getDocumentElement();
    }

    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) out.add(e);
        }
        return out;
    }

    static Optional<Element> child(Element parent, String name) {
        return children(parent, name).stream().findFirst();
    }

    static String text(Element parent, String name) {
        return child(parent, name).map(e -> e.getTextContent().strip()).orElse("");
    }

    @Test
    void bomListsEveryDeployedLibraryModuleAtTheProjectVersion() throws Exception {
        Path root = Fixtures.root();
        Element parent = pom(root.resolve("pom.xml"));
        Set<String> libraries = new TreeSet<>();
        boolean bomInReactor = false;
        for (Element m : children(child(parent, "modules").orElseThrow(), "module")) {
            String module = m.getTextContent().strip();
            if (module.equals("bom")) { bomInReactor = true; continue; }
            Element pom = pom(root.resolve(module).resolve("pom.xml"));
            boolean jar = text(pom, "packaging").isEmpty() || text(pom, "packaging").equals("jar");
            boolean deploySkipped = child(pom, "properties").map(p -> text(p, "maven.deploy.skip")).orElse("").equals("true");
            String artifact = text(pom, "artifactId");
            if (jar && !deploySkipped && !APPLICATIONS.contains(artifact)) libraries.add(artifact);
        }
        assertThat(bomInReactor).as("bom is a module of the reactor").isTrue();
        assertThat(libraries).as("library modules found in %s", root.resolve("pom.xml")).contains("keras4j-api", "keras4j-runtime");

        Element bom = pom(root.resolve("bom/pom.xml"));
        assertThat(child(bom, "parent")).as("the bom inherits nothing").isEmpty();
        assertThat(text(bom, "artifactId")).isEqualTo("keras4j-bom");
        assertThat(text(bom, "packaging")).isEqualTo("pom");
        assertThat(text(bom, "version")).as("bom version").isEqualTo(text(parent, "version"));
        assertThat(text(bom, "groupId")).isEqualTo(text(parent, "groupId"));
        Set<String> listed = new TreeSet<>();
        Element managed = child(child(bom, "dependencyManagement").orElseThrow(), "dependencies").orElseThrow();
        for (Element d : children(managed, "dependency")) {
            String artifact = text(d, "artifactId");
            assertThat(text(d, "groupId")).as(artifact).isEqualTo("io.keras4j");
            assertThat(text(d, "version")).as(artifact).isEqualTo("${project.version}");
            assertThat(text(d, "type") + text(d, "scope") + text(d, "classifier")).as(artifact + ": a plain jar").isEmpty();
            assertThat(listed.add(artifact)).as("%s listed twice", artifact).isTrue();
        }
        assertThat(listed).isEqualTo(libraries);
        // The "add io.keras4j:keras4j-format-…" hints name artifacts the BOM manages.
        for (KnownFormats.Known k : KnownFormats.ALL) assertThat(listed).as(k.codec()).contains(k.artifact());
    }
}
