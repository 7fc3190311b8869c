package io.keras4j.cli;

import java.util.List;
import java.util.Locale;

/**
 * A laid-out {@link PlotGraph} as one self-contained SVG document: styles inline, no external fonts or images. Each
 * layer is a {@code <g class="layer">} holding one {@code <rect>}, each connection one {@code <path class="edge">}
 * naming its ends, each expanded nested model a {@code <g class="cluster">}; the HTML page scripts against these.
 */
final class PlotSvg {
    private PlotSvg() {}

    static final String STYLE = """
            .layer rect { fill: #fdfdfd; stroke: #222; stroke-width: 1; }
            .layer text { font: 12px 'DejaVu Sans Mono', Menlo, Consolas, monospace; fill: #111; }
            .layer .title { font-weight: bold; }
            .layer.input rect { fill: #eef5ff; }
            .layer.selected rect { fill: #ffe9a8; stroke: #c07000; stroke-width: 2; }
            .cluster rect { fill: #f4f4f4; stroke: #888; stroke-dasharray: 4 3; }
            .cluster text { font: bold 12px 'DejaVu Sans Mono', Menlo, Consolas, monospace; fill: #444; }
            .edge { fill: none; stroke: #555; stroke-width: 1.2; }
            """;

    static String of(PlotLayout layout, String title) {
        StringBuilder s = new StringBuilder(4096 + 400 * layout.boxes().size());
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(n(layout.width()))
                .append("\" height=\"").append(n(layout.height())).append("\" viewBox=\"0 0 ").append(n(layout.width()))
                .append(' ').append(n(layout.height())).append("\">\n");
        s.append("<title>").append(escape(title)).append("</title>\n");
        s.append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
                + "orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>\n");
        s.append("<style>").append(STYLE).append("</style>\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        s.append("<g id=\"graph\">\n");
        for (PlotLayout.PlacedCluster c : layout.clusters()) {
            PlotLayout.Placed p = c.at();
            s.append("<g class=\"cluster\" id=\"").append(c.cluster().id()).append("\" data-path=\"").append(escape(c.cluster().path()))
                    .append("\"><rect x=\"").append(n(p.x())).append("\" y=\"").append(n(p.y())).append("\" width=\"").append(n(p.width()))
                    .append("\" height=\"").append(n(p.height())).append("\" rx=\"6\"/><text x=\"").append(n(p.x() + 10)).append("\" y=\"")
                    .append(n(p.y() + 17)).append("\">").append(escape(c.cluster().layer().name() + " (" + c.cluster().layer().className() + ")"))
                    .append("</text></g>\n");
        }
        for (PlotLayout.PlacedEdge e : layout.edges()) {
            s.append("<path class=\"edge\" data-from=\"").append(e.edge().from()).append("\" data-to=\"").append(e.edge().to())
                    .append("\" marker-end=\"url(#arrow)\" d=\"");
            List<double[]> pts = e.points();
            for (int i = 0; i < pts.size(); i++) {
                s.append(i == 0 ? "M" : " L").append(n(pts.get(i)[0])).append(',').append(n(pts.get(i)[1]));
            }
            s.append("\"/>\n");
        }
        for (PlotLayout.PlacedBox b : layout.boxes()) {
            PlotLayout.Placed p = b.at();
            boolean input = b.box().layer().className().equals("InputLayer");
            s.append("<g class=\"layer").append(input ? " input" : "").append("\" id=\"").append(b.box().id())
                    .append("\" data-path=\"").append(escape(b.box().path())).append("\">");
            s.append("<title>").append(escape(b.box().path())).append("</title>");
            s.append("<rect x=\"").append(n(p.x())).append("\" y=\"").append(n(p.y())).append("\" width=\"").append(n(p.width()))
                    .append("\" height=\"").append(n(p.height())).append("\"/>");
            for (int i = 0; i < b.lines().size(); i++) {
                // The box was sized for this many monospace cells: textLength holds the text to that width in any face.
                s.append("<text").append(i == 0 ? " class=\"title\"" : "").append(" x=\"").append(n(p.x() + PlotLayout.PAD))
                        .append("\" y=\"").append(n(p.y() + PlotLayout.PAD + 12 + i * PlotLayout.LINE_HEIGHT))
                        .append("\" textLength=\"").append(n(b.lines().get(i).length() * PlotLayout.CHAR_WIDTH))
                        .append("\" lengthAdjust=\"spacingAndGlyphs\">")
                        .append(escape(b.lines().get(i))).append("</text>");
            }
            s.append("</g>\n");
        }
        s.append("</g>\n</svg>\n");
        return s.toString();
    }

    private static String n(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** Text and attribute values as XML 1.0 allows them: markup characters escaped, control characters replaced. */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c < 0x20 || c == 0xFFFE || c == 0xFFFF ? '\uFFFD' : c);
            }
        }
        return b.toString();
    }
}
