package io.keras4j.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.data.LayoutMetaDataService;
import org.eclipse.elk.core.math.ElkPadding;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.options.HierarchyHandling;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkBendPoint;
import org.eclipse.elk.graph.ElkEdge;
import org.eclipse.elk.graph.ElkEdgeSection;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.util.ElkGraphUtil;

/**
 * Places a {@link PlotGraph} with Eclipse ELK's layered algorithm (the Sugiyama method Graphviz's dot uses for
 * {@code plot_model}): layers in ranks along the direction of flow, crossings minimised, edges routed orthogonally,
 * nested models laid out together with the outer graph so edges may cross into them. Coordinates are absolute.
 */
final class PlotLayout {
    /** The text is drawn in a monospace face, so a line's width is known without measuring fonts. */
    static final double FONT_SIZE = 12;
    static final double CHAR_WIDTH = 7.25;
    static final double LINE_HEIGHT = 16;
    static final double PAD = 8;
    static final double CLUSTER_LABEL = 22;

    record Placed(double x, double y, double width, double height) {
        boolean overlaps(Placed o) {
            return x < o.x + o.width && o.x < x + width && y < o.y + o.height && o.y < y + height;
        }
    }

    record PlacedBox(PlotGraph.Box box, Placed at, List<String> lines) {}

    record PlacedCluster(PlotGraph.Cluster cluster, Placed at) {}

    record PlacedEdge(PlotGraph.Edge edge, List<double[]> points) {}

    private final List<PlacedBox> boxes = new ArrayList<>();
    private final List<PlacedCluster> clusters = new ArrayList<>();
    private final List<PlacedEdge> edges = new ArrayList<>();
    private double width;
    private double height;

    static {
        // Outside OSGi ELK finds algorithms through ServiceLoader, which a module path may not offer: register directly.
        LayoutMetaDataService.getInstance().registerLayoutMetaDataProviders(new org.eclipse.elk.alg.layered.options.LayeredMetaDataProvider());
    }

    private PlotLayout() {}

    /** {@code leftToRight}: rank direction LR (else TB); {@code showShapes}: the input and output shape lines. */
    static PlotLayout of(PlotGraph graph, boolean leftToRight, boolean showShapes) {
        ElkNode root = ElkGraphUtil.createGraph();
        root.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
        root.setProperty(CoreOptions.DIRECTION, leftToRight ? Direction.RIGHT : Direction.DOWN);
        root.setProperty(CoreOptions.HIERARCHY_HANDLING, HierarchyHandling.INCLUDE_CHILDREN);
        root.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.ORTHOGONAL);
        root.setProperty(CoreOptions.PADDING, new ElkPadding(12));
        // Ties broken by the model's layer order, as plot_model lists them: in_a left of in_b, first output first.
        root.setProperty(LayeredOptions.CONSIDER_MODEL_ORDER_STRATEGY, org.eclipse.elk.alg.layered.options.OrderingStrategy.NODES_AND_EDGES);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE, 20.0);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 30.0);
        root.setProperty(LayeredOptions.SPACING_EDGE_NODE_BETWEEN_LAYERS, 12.0);

        Map<String, ElkNode> nodes = new HashMap<>();
        for (PlotGraph.Cluster c : graph.clusters()) {
            ElkNode n = ElkGraphUtil.createNode(c.parent() == null ? root : nodes.get(c.parent()));
            n.setProperty(CoreOptions.PADDING, new ElkPadding(CLUSTER_LABEL + 6, 12, 12, 12));
            nodes.put(c.id(), n);
        }
        Map<String, List<String>> lines = new HashMap<>();
        for (PlotGraph.Box b : graph.boxes()) {
            List<String> text = lines(b, showShapes);
            lines.put(b.id(), text);
            ElkNode n = ElkGraphUtil.createNode(b.cluster() == null ? root : nodes.get(b.cluster()));
            int longest = text.stream().mapToInt(String::length).max().orElse(1);
            n.setDimensions(Math.ceil(longest * CHAR_WIDTH + 2 * PAD), text.size() * LINE_HEIGHT + 2 * PAD - 4);
            nodes.put(b.id(), n);
        }
        Map<PlotGraph.Edge, ElkEdge> elkEdges = new java.util.LinkedHashMap<>();
        for (PlotGraph.Edge e : graph.edges()) {
            ElkEdge edge = ElkGraphUtil.createSimpleEdge(nodes.get(e.from()), nodes.get(e.to()));
            ElkGraphUtil.updateContainment(edge);
            elkEdges.put(e, edge);
        }

        new RecursiveGraphLayoutEngine().layout(root, new BasicProgressMonitor());

        PlotLayout layout = new PlotLayout();
        layout.width = root.getWidth();
        layout.height = root.getHeight();
        for (PlotGraph.Cluster c : graph.clusters()) layout.clusters.add(new PlacedCluster(c, absolute(nodes.get(c.id()))));
        for (PlotGraph.Box b : graph.boxes()) layout.boxes.add(new PlacedBox(b, absolute(nodes.get(b.id())), lines.get(b.id())));
        elkEdges.forEach((e, edge) -> layout.edges.add(new PlacedEdge(e, points(edge))));
        return layout;
    }

    /** A box's text: {@code name (Class)}, then its input and output shapes as plot_model's table shows them. */
    static List<String> lines(PlotGraph.Box b, boolean showShapes) {
        List<String> text = new ArrayList<>();
        text.add(b.layer().name() + " (" + b.layer().className() + ")");
        if (showShapes) {
            text.add("Input shape: " + b.inputShape());
            text.add("Output shape: " + b.outputShape());
        }
        return text;
    }

    private static Placed absolute(ElkNode n) {
        double[] o = offset(n.getParent());
        return new Placed(o[0] + n.getX(), o[1] + n.getY(), n.getWidth(), n.getHeight());
    }

    /** Where {@code n}'s own coordinate system starts: the sum of its ancestors' positions. */
    private static double[] offset(ElkNode n) {
        double x = 0, y = 0;
        for (ElkNode p = n; p != null && p.getParent() != null; p = p.getParent()) {
            x += p.getX();
            y += p.getY();
        }
        return new double[] {x, y};
    }

    /** An edge's route; ELK gives it relative to the node that contains the edge. */
    private static List<double[]> points(ElkEdge edge) {
        double[] o = offset(edge.getContainingNode());
        List<double[]> pts = new ArrayList<>();
        for (ElkEdgeSection s : edge.getSections()) {
            pts.add(new double[] {o[0] + s.getStartX(), o[1] + s.getStartY()});
            for (ElkBendPoint bp : s.getBendPoints()) pts.add(new double[] {o[0] + bp.getX(), o[1] + bp.getY()});
            pts.add(new double[] {o[0] + s.getEndX(), o[1] + s.getEndY()});
        }
        return pts;
    }

    List<PlacedBox> boxes() { return boxes; }

    List<PlacedCluster> clusters() { return clusters; }

    List<PlacedEdge> edges() { return edges; }

    double width() { return width; }

    double height() { return height; }
}
