package io.keras4j.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;

/**
 * A text table whose columns are as wide as their widest cell (long layer names do not push the rest out of line),
 * ruled with box drawing where the output charset can encode it and with ASCII where it cannot ({@code LANG=C}).
 */
final class Table {
    private final List<String> headers;
    private final boolean[] right;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = List.of(headers);
        this.right = new boolean[headers.length];
    }

    /** Right-aligns the given columns (numbers). */
    Table right(int... columns) {
        for (int c : columns) right[c] = true;
        return this;
    }

    Table add(Object... cells) {
        List<String> row = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) row.add(i < cells.length && cells[i] != null ? cells[i].toString() : "");
        rows.add(row);
        return this;
    }

    int size() { return rows.size(); }

    void print(PrintWriter out, boolean unicode) {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = headers.get(i).length();
            for (List<String> r : rows) width[i] = Math.max(width[i], r.get(i).length());
        }
        int total = 0;
        for (int w : width) total += w;
        String rule = (unicode ? "─" : "-").repeat(total + 2 * (width.length - 1));
        out.println(rule);
        line(out, headers, width);
        out.println(rule);
        for (List<String> r : rows) line(out, r, width);
        out.println(rule);
    }

    private void line(PrintWriter out, List<String> cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            if (i > 0) b.append("  ");
            String c = cells.get(i);
            String pad = " ".repeat(width[i] - c.length());
            b.append(right[i] ? pad + c : c + (i == width.length - 1 ? "" : pad));
        }
        out.println(b.toString().stripTrailing());
    }

    /** Whether text in {@code charset} can carry the box-drawing rule. */
    static boolean canDrawBoxes(Charset charset) {
        return charset.newEncoder().canEncode('─');
    }

    /** The charset standard output encodes with: {@code stdout.encoding} (Java 18+), else the platform default. */
    static Charset stdoutCharset() {
        for (String p : new String[] {"stdout.encoding", "sun.stdout.encoding"}) {
            String name = System.getProperty(p);
            if (name != null && Charset.isSupported(name)) return Charset.forName(name);
        }
        return Charset.defaultCharset();
    }
}
