package io.keras4j.it;

import static io.keras4j.it.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.cli.Main;
import io.keras4j.core.KerasJson;
import io.keras4j.it.CliTest.Run;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue #17, step 5: every input kind {@code predict} takes, and JSON on stdout, against Keras's predictions. */
class CliPredictTest {
    @TempDir Path dir;

    private static Zoo.Entry entry(String id) {
        return Zoo.current().entries().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }

    /** The JSON predict prints, output by output in the model's order, compared with Keras's outputs_N.npy. */
    private static void assertKerasOutputs(Run r, Zoo.Entry e) {
        assertThat(r.code()).as(r.err()).isZero();
        JsonObject json = KerasJson.parse(r.out(), Path.of("stdout")).asObject();
        List<JsonValue> outputs = new ArrayList<>(json.members().values());
        assertThat(outputs).hasSize(e.outputs().size());
        for (int i = 0; i < outputs.size(); i++) {
            List<Double> ours = new ArrayList<>();
            flatten(outputs.get(i), ours);
            float[] keras = Npy.read(e.outputs().get(i)).toFloatArray();
            assertThat(ours).hasSize(keras.length);
            for (int k = 0; k < keras.length; k++) {
                assertThat(Math.abs(ours.get(k) - keras[k])).as("%s output %d[%d]", e.id(), i, k)
                        .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(keras[k])));
            }
        }
    }

    private static void flatten(JsonValue v, List<Double> out) {
        if (v.isArray()) for (JsonValue x : v.asArray()) flatten(x, out);
        else out.add(((io.keras4j.json.JsonNumber) v).doubleValue());
    }

    private static List<String> args(Zoo.Entry e, String format, List<Path> inputs, String... more) {
        List<String> a = new ArrayList<>(List.of("predict", e.file(format).orElseThrow().toString()));
        for (Path p : inputs) a.addAll(List.of("--input", p.toString()));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void npyInputsPrintJsonWithoutOut() {
        for (String id : List.of("multi_io-k3", "resnet-k2", "rnn-k3")) {
            Zoo.Entry e = entry(id);
            assertKerasOutputs(run(args(e, e.gen().equals("k3") ? "keras" : "h5", e.inputs()).toArray(String[]::new)), e);
        }
    }

    /** --profile keeps the JSON on stdout and prints a step table on stderr naming every layer, fused ones included. */
    @Test
    void profileTimesEveryLayerOnStandardErrorAndKeepsThePredictions() throws Exception {
        Zoo.Entry e = entry("resnet-k3");
        Run r = run(args(e, "keras", e.inputs(), "--profile", "3").toArray(String[]::new));
        assertKerasOutputs(r, e);
        assertThat(r.err()).contains("ms per prediction of the whole input, mean of 3 after 3 untimed", "layers fused into it");
        io.keras4j.model.Model model = io.keras4j.Keras4j.create().load(e.file("keras").orElseThrow());
        for (io.keras4j.model.Layer layer : model.layers()) {
            if (!layer.className().equals("InputLayer")) assertThat(r.err()).as("layer %s", layer.name()).contains(layer.name());
        }

        Run zero = run(args(e, "keras", e.inputs(), "--profile", "0").toArray(String[]::new));
        assertThat(zero.code()).isEqualTo(Main.USAGE);
        assertThat(zero.err()).contains("--profile must be at least 1");
    }

    /** numpy's np.asfortranarray(x) saved: the same array, so the same predictions. */
    @Test
    void fortranOrderedNpyIsTheSameArray() throws Exception {
        for (String id : List.of("resnet-k3", "multi_io-k2")) {
            Zoo.Entry e = entry(id);
            List<Path> fortran = new ArrayList<>();
            for (Path p : e.inputs()) fortran.add(writeFortran(Npy.read(p), dir.resolve(id + "-" + p.getFileName())));
            assertKerasOutputs(run(args(e, "keras", fortran).toArray(String[]::new)), e);
        }
    }

    /** A float32 .npy in Fortran order, as numpy writes it: header flag True, data column-major. */
    static Path writeFortran(Tensor t, Path f) throws Exception {
        long[] shape = t.shape();
        float[] c = t.toFloatArray();
        float[] fo = new float[c.length];
        int rank = shape.length;
        long[] idx = new long[rank];
        for (int flat = 0; flat < c.length; flat++) {
            long rem = flat;
            for (int a = rank - 1; a >= 0; a--) { // C order position of element 'flat'
                idx[a] = rem % shape[a];
                rem /= shape[a];
            }
            long fpos = 0, stride = 1;
            for (int a = 0; a < rank; a++) { // its Fortran position: first axis fastest
                fpos += idx[a] * stride;
                stride *= shape[a];
            }
            fo[(int) fpos] = c[flat];
        }
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < rank; i++) dims.append(i > 0 ? ", " : "").append(shape[i]);
        if (rank == 1) dims.append(",");
        String dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (" + dims + "), }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), (byte) (header.length() >> 8)});
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(fo.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float x : fo) b.putFloat(x);
        out.writeBytes(b.array());
        return Files.write(f, out.toByteArray());
    }

    /** One .npz whose members are named after the inputs, stored in the other order: matched by name. */
    @Test
    void npzAndJsonObjectsAreMatchedByInputName() throws Exception {
        Zoo.Entry e = entry("multi_io-k3");
        Map<String, Tensor> byName = new LinkedHashMap<>();
        byName.put("in_b", Npy.read(e.inputs().get(1)));
        byName.put("in_a", Npy.read(e.inputs().get(0)));
        Path npz = dir.resolve("x.npz");
        Npy.writeNpz(byName, npz);
        assertKerasOutputs(run(args(e, "keras", List.of(npz)).toArray(String[]::new)), e);

        StringBuilder json = new StringBuilder("{");
        for (var m : byName.entrySet()) json.append(json.length() > 1 ? ", " : "").append('"').append(m.getKey()).append("\": ").append(nested(m.getValue()));
        Path obj = Files.writeString(dir.resolve("x.json"), json.append("}").toString());
        assertKerasOutputs(run(args(e, "keras", List.of(obj)).toArray(String[]::new)), e);

        Map<String, Tensor> wrong = Map.of("in_a", byName.get("in_a"), "other", byName.get("in_b"));
        Path bad = dir.resolve("bad.npz");
        Npy.writeNpz(wrong, bad);
        Run missing = run(args(e, "keras", List.of(bad)).toArray(String[]::new));
        assertThat(missing.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(missing.err()).contains("in_b").contains("other").contains(bad.toString());
    }

    private static String nested(Tensor t) {
        float[] v = t.toFloatArray();
        long[] shape = t.shape();
        StringBuilder b = new StringBuilder();
        nest(b, v, shape, 0, new int[] {0});
        return b.toString();
    }

    private static void nest(StringBuilder b, float[] v, long[] shape, int axis, int[] pos) {
        if (axis == shape.length) {
            b.append(v[pos[0]++]);
            return;
        }
        b.append('[');
        for (long i = 0; i < shape[axis]; i++) {
            if (i > 0) b.append(',');
            nest(b, v, shape, axis + 1, pos);
        }
        b.append(']');
    }

    /** Nested JSON lists, one file per input, and CSV rows (with a header) for a 2-D input. */
    @Test
    void jsonListsAndCsvRows() throws Exception {
        Zoo.Entry rnn = entry("resnet-k3");
        Path x = Files.writeString(dir.resolve("image.json"), nested(Npy.read(rnn.inputs().get(0))));
        assertKerasOutputs(run(args(rnn, "keras", List.of(x)).toArray(String[]::new)), rnn);

        Zoo.Entry mlp = entry("mlp-k3");
        Tensor in = Npy.read(mlp.inputs().get(0));
        float[] v = in.toFloatArray();
        int width = (int) in.shape()[1];
        StringBuilder csv = new StringBuilder("a,b,c,d\n");
        for (int r = 0; r < in.shape()[0]; r++) {
            for (int c = 0; c < width; c++) csv.append(c > 0 ? "," : "").append(v[r * width + c]);
            csv.append('\n');
        }
        Path rows = Files.writeString(dir.resolve("x.csv"), csv.toString());
        assertKerasOutputs(run(args(mlp, "keras", List.of(rows)).toArray(String[]::new)), mlp);

        Path broken = Files.writeString(dir.resolve("broken.csv"), "1,2,3,4\n5,6,seven,8\n");
        Run bad = run(args(mlp, "keras", List.of(broken)).toArray(String[]::new));
        assertThat(bad.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(bad.err()).contains(broken.toString()).contains("line 2");
        Path ragged = Files.writeString(dir.resolve("ragged.json"), "[[1, 2, 3, 4], [5, 6]]");
        Run r2 = run(args(mlp, "keras", List.of(ragged)).toArray(String[]::new));
        assertThat(r2.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(r2.err()).contains("$[1]").contains("not rectangular");
    }

    /** --batch-size: the same predictions, batch by batch, as Keras's; --out still writes .npy files. */
    @Test
    void batchesGiveTheSamePredictions() throws Exception {
        for (String id : List.of("multi_io-k3", "rnn-k2")) {
            Zoo.Entry e = entry(id);
            String format = e.gen().equals("k3") ? "keras" : "h5";
            for (String size : List.of("1", "2", "1000")) assertKerasOutputs(run(args(e, format, e.inputs(), "--batch-size", size).toArray(String[]::new)), e);
            Path out = dir.resolve(id);
            Run r = run(args(e, format, e.inputs(), "--batch-size", "2", "--out", out.toString()).toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isZero();
            for (int i = 0; i < e.outputs().size(); i++) {
                assertThat(Npy.read(out.resolve("output_" + i + ".npy")).shape()).isEqualTo(Npy.read(e.outputs().get(i)).shape());
            }
        }
        Zoo.Entry mlp = entry("mlp-k3");
        assertThat(run(args(mlp, "keras", mlp.inputs(), "--batch-size", "0").toArray(String[]::new)).code()).isEqualTo(Main.USAGE);
        Path txt = Files.writeString(dir.resolve("x.txt"), "1 2 3 4");
        assertThat(run(args(mlp, "keras", List.of(txt)).toArray(String[]::new)).code()).isEqualTo(Main.USAGE);
        assertThat(run("predict", mlp.file("keras").orElseThrow().toString()).code()).as("--input is required").isEqualTo(Main.USAGE);
    }
}
