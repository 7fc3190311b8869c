package io.keras4j.it;

import static io.keras4j.it.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.cli.Main;
import io.keras4j.core.KerasJson;
import io.keras4j.it.CliTest.Run;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Issue #17: {@code keras4j plot}. The picture is judged against the model config Keras wrote (its layers and the
 * connections its inbound nodes record), read here independently of keras4j's model reader.
 */
class CliPlotTest {
    @TempDir Path dir;

    /** A small functional model with a shared layer, several inputs and outputs; its config as Keras wrote it. */
    record Case(String id, Path model, Path config) {}

    static Case small() {
        Zoo.Entry e = zooEntry("multi_io-k3");
        return new Case(e.id(), e.file("keras").orElseThrow(), e.file("json").orElseThrow());
    }

    static Zoo.Entry zooEntry(String id) {
        return Zoo.current().entries().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
    }

    /** ~150-layer models: a public Keras 2 ResNet-style config, and MobileNetV2 when the zoo given has it. */
    static List<Case> large() {
        List<Case> cases = new ArrayList<>();
        Path dualRes = Fixtures.publicFixtures().resolve("dl4j-test-resources/src/main/resources/modelimport/keras/examples/agz/dual_res.json");
        cases.add(new Case("dual_res", dualRes, dualRes));
        Zoo.current().entries().stream().filter(x -> x.id().equals("mobilenetv2-k3")).findFirst()
                .ifPresent(e -> cases.add(new Case(e.id(), e.file("keras").orElseThrow(), e.file("json").orElseThrow())));
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> svgHasOneBoxPerLayerOneEdgePerConnectionAndNoOverlaps() {
        List<Case> cases = new ArrayList<>(List.of(small()));
        cases.addAll(large());
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases) {
            for (String rankdir : List.of("TB", "LR")) {
                tests.add(DynamicTest.dynamicTest(c.id() + " " + rankdir, () -> {
                    Path svg = dir.resolve(c.id() + "-" + rankdir + ".svg");
                    Run r = run("plot", c.model().toString(), "--out", svg.toString(), "--rankdir", rankdir);
                    assertThat(r.code()).as(r.err()).isZero();
                    Graph expected = Graph.of(config(c.config()), false);
                    Picture p = Picture.parse(svg);
                    assertThat(p.boxes.keySet()).containsExactlyInAnyOrderElementsOf(expected.layers);
                    assertThat(p.edges).hasSize(expected.edges.size());
                    assertThat(p.edgePairs()).containsExactlyInAnyOrderElementsOf(expected.edges);
                    p.assertNoOverlapsAndEdgesTouchTheirBoxes();
                    double[] first = p.boxes.values().iterator().next();
                    double[] any = p.boxes.values().stream().reduce((a, b) -> b).orElseThrow();
                    // The flow runs along the rank direction: the last layer sits below (TB) or right of (LR) the first.
                    if (rankdir.equals("TB")) assertThat(any[1]).isGreaterThan(first[1]);
                    else assertThat(any[0]).isGreaterThan(first[0]);
                }));
            }
        }
        return tests.stream();
    }

    /** Each box shows name, class and shapes; the model outputs' shapes are those of the outputs Keras computed. */
    @Test
    void boxesShowNameClassAndTheShapesKerasComputed() throws Exception {
        Case c = small();
        Path svg = dir.resolve("small.svg");
        assertThat(run("plot", c.model().toString(), "--out", svg.toString()).code()).isZero();
        Document doc = Picture.parseXml(svg);
        Map<String, String> text = new HashMap<>();
        NodeList gs = doc.getElementsByTagName("g");
        for (int i = 0; i < gs.getLength(); i++) {
            Element g = (Element) gs.item(i);
            if (g.getAttribute("class").contains("layer")) text.put(g.getAttribute("data-path"), g.getTextContent());
        }
        JsonObject config = config(c.config()).getObject("config");
        for (JsonValue l : config.getArray("layers")) {
            String name = l.asObject().getString("name", "");
            assertThat(text.get(name)).contains(name + " (" + l.asObject().getString("class_name", "") + ")");
        }
        Zoo.Entry e = zooEntry(c.id());
        JsonArray outputs = config.getArray("output_layers");
        for (int k = 0; k < outputs.size(); k++) {
            long[] shape = io.keras4j.tensor.Npy.read(e.outputs().get(k)).shape();
            StringBuilder want = new StringBuilder("Output shape: (None");
            for (int d = 1; d < shape.length; d++) want.append(", ").append(shape[d]);
            assertThat(text.get(outputs.get(k).asArray().get(0).asText())).as("output %d", k).contains(want.append(')'));
        }
        Path bare = dir.resolve("bare.svg");
        assertThat(run("plot", c.model().toString(), "--out", bare.toString(), "--no-show-shapes").code()).isZero();
        assertThat(Files.readString(bare)).doesNotContain("Output shape").contains("shared (Dense)");
    }

    /** --expand-nested: the nested model is a cluster framing its own layers, wired through its input and output. */
    @Test
    void nestedModelsBecomeClustersWithExpandNested() throws Exception {
        Zoo.Entry e = zooEntry("nested-k3");
        JsonObject config = config(e.file("json").orElseThrow());
        Path flat = dir.resolve("flat.svg");
        Path expanded = dir.resolve("expanded.svg");
        assertThat(run("plot", e.file("keras").orElseThrow().toString(), "--out", flat.toString()).code()).isZero();
        Run r = run("plot", e.file("h5").orElseThrow().toString(), "--out", expanded.toString(), "--expand-nested");
        assertThat(r.code()).as(r.err()).isZero();
        Graph outer = Graph.of(config, false);
        Graph all = Graph.of(config, true);
        assertThat(Picture.parse(flat).boxes.keySet()).containsExactlyInAnyOrderElementsOf(outer.layers);
        Picture p = Picture.parse(expanded);
        assertThat(all.layers.size()).isGreaterThan(outer.layers.size());
        assertThat(p.boxes.keySet()).containsExactlyInAnyOrderElementsOf(all.layers);
        assertThat(p.edges).hasSize(all.edges.size());
        p.assertNoOverlapsAndEdgesTouchTheirBoxes();
        assertThat(p.clusters).hasSize(all.nested.size());
        for (var cluster : p.clusters.entrySet()) {
            double[] frame = cluster.getValue();
            for (var box : p.boxes.entrySet()) {
                if (!box.getKey().startsWith(cluster.getKey() + "/")) continue;
                double[] b = box.getValue();
                assertThat(b[0] >= frame[0] && b[1] >= frame[1] && b[0] + b[2] <= frame[0] + frame[2] && b[1] + b[3] <= frame[1] + frame[3])
                        .as("%s inside cluster %s", box.getKey(), cluster.getKey()).isTrue();
            }
        }
    }

    @Test
    void layerNamesWithMarkupAreEscapedAndTheSvgStaysXml() throws Exception {
        // A Keras 3 config whose layer names carry '/', '<', '&' and quotes, as Keras accepts them.
        String json = Files.readString(small().config()).replace("\"shared\"", "\"tower/<sh&red \\\"x\\\">\"");
        Path model = dir.resolve("odd.json");
        Files.writeString(model, json);
        Path svg = dir.resolve("odd.svg");
        Run r = run("plot", model.toString(), "--out", svg.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Picture p = Picture.parse(svg);
        assertThat(p.boxes).containsKey("tower/<sh&red \"x\">");
        assertThat(p.edgePairs()).contains(List.of("in_a", "tower/<sh&red \"x\">"));
    }

    @Test
    void badOutNamesAndRankdirAreUsageErrorsAndInputIsNeverOverwritten() throws Exception {
        Case c = small();
        Run png = run("plot", c.model().toString(), "--out", dir.resolve("model.png").toString());
        assertThat(png.code()).isEqualTo(Main.USAGE);
        assertThat(png.err()).contains("model.png").contains(".svg").contains(".html");
        assertThat(dir.resolve("model.png")).doesNotExist();
        Run rank = run("plot", c.model().toString(), "--out", dir.resolve("m.svg").toString(), "--rankdir", "BT");
        assertThat(rank.code()).isEqualTo(Main.USAGE);
        assertThat(rank.err()).contains("TB").contains("LR");
        Run missing = run("plot", c.model().toString());
        assertThat(missing.code()).isEqualTo(Main.USAGE);

        // MODEL named as OUT: refused before anything is read or written.
        Path copy = dir.resolve("model.svg");
        Files.copy(c.config(), copy);
        byte[] before = Files.readAllBytes(copy);
        Run same = run("plot", copy.toString(), "--format", "json", "--out", copy.toString());
        assertThat(same.code()).isEqualTo(Main.USAGE);
        assertThat(same.err()).contains("never overwrites");
        assertThat(Files.readAllBytes(copy)).isEqualTo(before);

        // Someone's file that is no picture is kept unless --force; an earlier picture is replaced.
        Path notes = dir.resolve("notes.svg");
        Files.writeString(notes, "my notes");
        Run kept = run("plot", c.model().toString(), "--out", notes.toString());
        assertThat(kept.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(kept.err()).contains(notes.toString()).contains("--force");
        assertThat(Files.readString(notes)).isEqualTo("my notes");
        assertThat(run("plot", c.model().toString(), "--out", notes.toString(), "--force").code()).isZero();
        assertThat(run("plot", c.model().toString(), "--out", notes.toString()).code()).isZero();
        assertThat(Files.readString(notes)).startsWith("<svg");
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(x -> x.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }

        Run weightsOnly = run("plot", zooEntry("mlp-k3").file("weights-h5").orElseThrow().toString(), "--out", dir.resolve("w.svg").toString());
        assertThat(weightsOnly.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(weightsOnly.err()).contains("weights only");
    }

    /**
     * The HTML page in a real browser (headless Chromium): it renders a picture for the small and the ~150-layer
     * model, and {@code #select=LAYER} (a click simulated on load) highlights the box and fills the side panel with
     * that layer's Keras config and the statistics of the weights Keras saved.
     */
    @Test
    void htmlPageRendersAndShowsAClickedLayersConfigAndWeights() throws Exception {
        Case c = small();
        Path html = dir.resolve("small.html");
        Run r = run("plot", c.model().toString(), "--out", html.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>").doesNotContainPattern("(?i)(src|href)=\"(https?:)?//");

        // Rendered: many colours (text, boxes, edges); the selected box's fill appears only when a layer is selected.
        Chromium.Page plain = Chromium.open(html.toUri().toString(), dir);
        Chromium.Page selected = Chromium.open(html.toUri() + "#select=shared", dir);
        assertThat(distinctColours(plain.image())).isGreaterThan(16);
        int selectedFill = 0xffe9a8;
        assertThat(pixels(plain.image(), selectedFill)).isZero();
        assertThat(pixels(selected.image(), selectedFill)).isGreaterThan(1000);
        assertThat(text(plain.dom(), "h2", "panel-title")).isEqualTo("Click a layer");

        // The panel after the simulated click: title, config and weight statistics.
        String dom = selected.dom();
        assertThat(text(dom, "h2", "panel-title")).isEqualTo("shared (Dense)");
        JsonObject shown = KerasJson.parse(text(dom, "pre", "config"), html).asObject();
        JsonObject keras = layerConfig(config(c.config()), "shared");
        for (String key : List.of("name", "units", "activation", "use_bias")) assertThat(shown.get(key)).as(key).isEqualTo(keras.get(key));
        Map<String, io.keras4j.tensor.Tensor> weights = zooEntry(c.id()).weights();
        for (String[] w : new String[][] {{"kernel", "shared/0"}, {"bias", "shared/1"}}) {
            double[] v = weights.entrySet().stream().filter(e -> e.getKey().startsWith(w[1])).findFirst().orElseThrow()
                    .getValue().toDoubleArray();
            java.util.regex.Matcher row = java.util.regex.Pattern.compile("<tr data-weight=\"" + w[0] + "\">(.*?)</tr>").matcher(dom);
            assertThat(row.find()).as("row of %s in %s", w[0], dom).isTrue();
            assertThat(Double.parseDouble(cellValue(row.group(1), "min"))).isEqualTo(java.util.Arrays.stream(v).min().orElseThrow());
            assertThat(Double.parseDouble(cellValue(row.group(1), "max"))).isEqualTo(java.util.Arrays.stream(v).max().orElseThrow());
            assertThat(Double.parseDouble(cellValue(row.group(1), "mean")))
                    .isCloseTo(java.util.Arrays.stream(v).average().orElseThrow(), org.assertj.core.api.Assertions.within(1e-7));
            assertThat(cellValue(row.group(1), "nan")).isEqualTo("0");
            assertThat(cellValue(row.group(1), "inf")).isEqualTo("0");
        }
    }

    @Test
    void htmlPageOfALargeAndANestedModelRendersAndSelects() throws Exception {
        for (Case c : large()) {
            Path html = dir.resolve(c.id() + ".html");
            Run r = run("plot", c.model().toString(), "--out", html.toString());
            assertThat(r.code()).as(r.err()).isZero();
            List<String> names = Graph.of(config(c.config()), false).layers;
            String middle = names.get(names.size() / 2);
            Chromium.Page page = Chromium.open(html.toUri() + "#select=" + middle, dir);
            assertThat(distinctColours(page.image())).as(c.id()).isGreaterThan(16);
            assertThat(pixels(page.image(), 0xffe9a8)).as("%s: the selected box is scrolled into view", middle).isGreaterThan(1000);
            String dom = page.dom();
            assertThat(text(dom, "h2", "panel-title")).startsWith(middle + " (");
            assertThat(KerasJson.parse(text(dom, "pre", "config"), html).asObject().getString("name", "")).isEqualTo(middle);
        }
        // A nested model's layer is selected by its path, outer/inner.
        Zoo.Entry e = zooEntry("nested-k3");
        Path html = dir.resolve("nested.html");
        assertThat(run("plot", e.file("keras").orElseThrow().toString(), "--out", html.toString(), "--expand-nested").code()).isZero();
        Graph all = Graph.of(config(e.file("json").orElseThrow()), true);
        String inner = all.layers.stream().filter(n -> n.contains("/") && !n.contains("input")).findFirst().orElseThrow();
        String dom = Chromium.open(html.toUri() + "#select=" + java.net.URLEncoder.encode(inner, StandardCharsets.UTF_8), dir).dom();
        assertThat(text(dom, "h2", "panel-title")).startsWith(inner + " (Dense)");
        assertThat(dom).contains("data-weight=\"kernel\"");
    }

    private static String cellValue(String row, String cls) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("class=\"" + cls + "\" data-value=\"([^\"]*)\"").matcher(row);
        assertThat(m.find()).as("%s in %s", cls, row).isTrue();
        return m.group(1);
    }

    /** The text of the element {@code <tag id="id">} in serialised HTML, entities decoded. */
    private static String text(String dom, String tag, String id) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<" + tag + " id=\"" + id + "\"[^>]*>(.*?)</" + tag + ">",
                java.util.regex.Pattern.DOTALL).matcher(dom);
        assertThat(m.find()).as("<%s id=%s> in the page", tag, id).isTrue();
        return m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&nbsp;", "\u00a0").replace("&amp;", "&");
    }

    private static JsonObject layerConfig(JsonObject topLevel, String name) {
        for (JsonValue l : topLevel.getObject("config").getArray("layers")) {
            if (l.asObject().getObject("config").getString("name", "").equals(name)) return l.asObject().getObject("config");
        }
        throw new AssertionError("no layer " + name);
    }

    private static int distinctColours(BufferedImage img) {
        Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) colours.add(img.getRGB(x, y) & 0xffffff);
        return colours.size();
    }

    private static int pixels(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xffffff) == rgb) n++;
        return n;
    }

    /**
     * Debian's headless Chromium, started fresh per page (its own profile, no network services). When it is missing
     * the test fails under CI (test.sh installs it) and is skipped, saying so, elsewhere.
     */
    static final class Chromium {
        static final Path BINARY = Path.of(System.getProperty("keras4j.chromium", "/usr/bin/chromium"));

        /** The page after load: its screenshot and its DOM, from one browser run. */
        record Page(BufferedImage image, String dom) {}

        static Page open(String url, Path tmp) throws Exception {
            Path png = Files.createTempFile(tmp, "page", ".png");
            Files.delete(png);
            String dom = run(tmp, "--screenshot=" + png, "--window-size=1280,800", "--dump-dom", url);
            assertThat(png).exists();
            BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
            assertThat(img).as("decodable PNG %s", png).isNotNull();
            assertThat(img.getWidth()).isEqualTo(1280);
            assertThat(dom).contains("<svg");
            return new Page(img, dom);
        }

        private static String run(Path tmp, String... args) throws Exception {
            if (!Files.isExecutable(BINARY)) {
                String why = BINARY + " is absent: the browser checks of plot's HTML do not run (apt-get install chromium)";
                if ("true".equals(System.getenv("CI"))) org.junit.jupiter.api.Assertions.fail(why + " (CI is set)");
                System.err.println("SKIPPED: " + why);
                org.junit.jupiter.api.Assumptions.abort(why);
            }
            Path profile = Files.createTempDirectory(tmp, "chromium-profile");
            List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile));
            cmd.addAll(List.of(args));
            Path out = tmp.resolve("chromium.out");
            Path err = tmp.resolve("chromium.err");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            // A guard against a hung browser, not a timing assertion.
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("chromium hung: " + cmd);
            }
            assertThat(p.exitValue()).as("chromium %s: %s", cmd, Files.readString(err)).isZero();
            return Files.readString(out);
        }
    }

    /** The README's picture is what plot draws today for the committed zoo's multi_io model (the layout is seeded). */
    @Test
    void readmePictureIsCurrent() throws Exception {
        Path committed = Fixtures.root().resolve("docs/images/plot-multi_io.svg");
        Path svg = dir.resolve("plot-multi_io.svg");
        Run r = run("plot", Fixtures.root().resolve("fixtures/zoo/multi_io/k3/model.keras").toString(), "--out", svg.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(svg)).as("regenerate %s with: keras4j plot fixtures/zoo/multi_io/k3/model.keras --out %s",
                committed, "docs/images/plot-multi_io.svg").isEqualTo(Files.readString(committed));
        assertThat(Files.readString(Fixtures.root().resolve("README.md"))).contains("](docs/images/plot-multi_io.svg)");
    }

    static JsonObject config(Path json) throws IOException {
        return KerasJson.parse(Files.readString(json, StandardCharsets.UTF_8), json).asObject();
    }

    /**
     * What Keras's plot_model draws for a config: every layer, and one edge per distinct (inbound layer, layer) pair
     * of the recorded calls (a chain for Sequential); with {@code expand}, nested models' own layers and edges too,
     * their calls wired to the nested input and output layers instead of the model's box.
     */
    static final class Graph {
        final List<String> layers = new ArrayList<>();
        final Set<List<String>> edges = new LinkedHashSet<>();
        final List<String> nested = new ArrayList<>();

        static Graph of(JsonObject topLevel, boolean expand) {
            Graph g = new Graph();
            g.add(topLevel, "", expand);
            return g;
        }

        private record Ends(String entry, String exit) {}

        private Ends add(JsonObject entry, String prefix, boolean expand) {
            JsonObject config = entry.getObject("config");
            JsonArray layerList = config.get("layers").isArray() ? config.getArray("layers") : JsonArray.EMPTY;
            Map<String, Ends> ends = new HashMap<>();
            List<String> order = new ArrayList<>();
            for (JsonValue v : layerList) {
                JsonObject l = v.asObject();
                String name = l.get("name").isString() ? l.getString("name", "") : l.getObject("config").getString("name", "");
                String cls = l.getString("class_name", "");
                order.add(name);
                if (expand && (cls.equals("Functional") || cls.equals("Sequential") || cls.equals("Model"))) {
                    nested.add(prefix + name);
                    ends.put(name, add(l, prefix + name + "/", true));
                } else {
                    layers.add(prefix + name);
                    ends.put(name, new Ends(prefix + name, prefix + name));
                }
            }
            boolean chain = entry.getString("class_name", "").equals("Sequential");
            if (chain) {
                for (int i = 1; i < order.size(); i++) edges.add(List.of(ends.get(order.get(i - 1)).exit(), ends.get(order.get(i)).entry()));
            } else {
                for (JsonValue v : layerList) {
                    JsonObject l = v.asObject();
                    String name = l.get("name").isString() ? l.getString("name", "") : l.getObject("config").getString("name", "");
                    for (JsonValue node : l.getArray("inbound_nodes")) {
                        for (String from : inbound(node)) edges.add(List.of(ends.get(from).exit(), ends.get(name).entry()));
                    }
                }
            }
            String first = order.isEmpty() ? null : ends.get(order.get(0)).entry();
            String last = order.isEmpty() ? null : ends.get(order.get(order.size() - 1)).exit();
            return new Ends(first, last);
        }

        /** The layers a node consumes: Keras 3's keras_history in the call's args, or Keras 2's [name, node, tensor]. */
        private static List<String> inbound(JsonValue node) {
            List<String> out = new ArrayList<>();
            if (node.isObject()) history(node.asObject().get("args"), out);
            else for (JsonValue ref : node.asArray()) out.add(ref.asArray().get(0).asText());
            return out;
        }

        private static void history(JsonValue v, List<String> out) {
            if (v.isObject()) {
                if (v.asObject().has("keras_history")) {
                    out.add(v.asObject().getArray("keras_history").get(0).asText());
                    return;
                }
                for (JsonValue m : v.asObject().members().values()) history(m, out);
            } else if (v.isArray()) {
                for (JsonValue m : v.asArray()) history(m, out);
            }
        }
    }

    /** The drawn SVG: boxes by layer path as {x, y, width, height}, edges by the layer paths they join. */
    static final class Picture {
        final Map<String, double[]> boxes = new java.util.LinkedHashMap<>();
        final Map<String, double[]> clusters = new java.util.LinkedHashMap<>();
        final List<String[]> edges = new ArrayList<>();
        final List<double[][]> routes = new ArrayList<>();
        private final Map<String, String> pathById = new HashMap<>();

        static Document parseXml(Path svg) throws Exception {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder().parse(svg.toFile());
        }

        static Picture parse(Path svg) throws Exception {
            Document doc = parseXml(svg);
            assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
            assertThat(doc.getDocumentElement().getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
            Picture p = new Picture();
            NodeList gs = doc.getElementsByTagNameNS("*", "g");
            for (int i = 0; i < gs.getLength(); i++) {
                Element g = (Element) gs.item(i);
                List<String> classes = List.of(g.getAttribute("class").split(" "));
                if (!classes.contains("layer") && !classes.contains("cluster")) continue;
                NodeList rects = g.getElementsByTagNameNS("*", "rect");
                assertThat(rects.getLength()).as("one rect in %s", g.getAttribute("data-path")).isEqualTo(1);
                Element r = (Element) rects.item(0);
                double[] box = {d(r, "x"), d(r, "y"), d(r, "width"), d(r, "height")};
                String path = g.getAttribute("data-path");
                Map<String, double[]> into = classes.contains("layer") ? p.boxes : p.clusters;
                assertThat(into.put(path, box)).as("one box for %s", path).isNull();
                p.pathById.put(g.getAttribute("id"), path);
            }
            NodeList paths = doc.getElementsByTagNameNS("*", "path");
            for (int i = 0; i < paths.getLength(); i++) {
                Element e = (Element) paths.item(i);
                if (!e.getAttribute("class").equals("edge")) continue;
                p.edges.add(new String[] {p.pathById.get(e.getAttribute("data-from")), p.pathById.get(e.getAttribute("data-to"))});
                String[] pts = e.getAttribute("d").replace("M", "").split(" L");
                double[][] route = new double[pts.length][];
                for (int k = 0; k < pts.length; k++) {
                    String[] xy = pts[k].trim().split(",");
                    route[k] = new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])};
                }
                p.routes.add(route);
            }
            return p;
        }

        private static double d(Element e, String attr) { return Double.parseDouble(e.getAttribute(attr)); }

        List<List<String>> edgePairs() { return edges.stream().map(e -> List.of(e[0], e[1])).toList(); }

        /** No two layer boxes share any area; every edge starts on its source box's border and ends on its target's. */
        void assertNoOverlapsAndEdgesTouchTheirBoxes() {
            List<Map.Entry<String, double[]>> all = new ArrayList<>(boxes.entrySet());
            // Sweep along x so 150 boxes need not be compared pairwise with every other.
            all.sort((a, b) -> Double.compare(a.getValue()[0], b.getValue()[0]));
            for (int i = 0; i < all.size(); i++) {
                double[] a = all.get(i).getValue();
                assertThat(a[2]).isPositive();
                assertThat(a[3]).isPositive();
                for (int j = i + 1; j < all.size() && all.get(j).getValue()[0] < a[0] + a[2]; j++) {
                    double[] b = all.get(j).getValue();
                    boolean overlap = a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
                    assertThat(overlap).as("%s overlaps %s", all.get(i).getKey(), all.get(j).getKey()).isFalse();
                }
            }
            for (int k = 0; k < edges.size(); k++) {
                double[][] route = routes.get(k);
                assertThat(onBorder(boxes.get(edges.get(k)[0]), route[0])).as("edge %s starts on its source", List.of(edges.get(k))).isTrue();
                assertThat(onBorder(boxes.get(edges.get(k)[1]), route[route.length - 1])).as("edge %s ends on its target", List.of(edges.get(k))).isTrue();
            }
        }

        private static boolean onBorder(double[] box, double[] pt) {
            double eps = 1.5;
            boolean inX = pt[0] >= box[0] - eps && pt[0] <= box[0] + box[2] + eps;
            boolean inY = pt[1] >= box[1] - eps && pt[1] <= box[1] + box[3] + eps;
            boolean nearEdge = Math.abs(pt[0] - box[0]) <= eps || Math.abs(pt[0] - box[0] - box[2]) <= eps
                    || Math.abs(pt[1] - box[1]) <= eps || Math.abs(pt[1] - box[1] - box[3]) <= eps;
            return inX && inY && nearEdge;
        }
    }
}
