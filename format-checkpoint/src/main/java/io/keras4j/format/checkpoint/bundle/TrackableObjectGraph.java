package io.keras4j.format.checkpoint.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The object graph a TF2 checkpoint stores under {@code _CHECKPOINTABLE_OBJECT_GRAPH}: node 0 is the root object
 * (the model, or the {@code tf.train.Checkpoint}); children are named edges; a variable node has an attribute
 * {@code VARIABLE_VALUE} whose {@code checkpointKey} is the bundle key of its value; optimizer slots link a
 * variable node to its slot variable node. An immutable copy of TensorFlow's {@code TrackableObjectGraph} proto.
 */
public final class TrackableObjectGraph {
    /** The attribute name of a variable's value. */
    public static final String VARIABLE_VALUE = "VARIABLE_VALUE";
    /** The bundle key holding the serialized graph. */
    public static final String KEY = "_CHECKPOINTABLE_OBJECT_GRAPH";

    private final List<Node> nodes;

    private TrackableObjectGraph(List<Node> nodes) { this.nodes = List.copyOf(nodes); }

    public static TrackableObjectGraph of(List<Node> nodes) {
        TrackableObjectGraph g = new TrackableObjectGraph(nodes);
        for (Node n : g.nodes) {
            for (Child c : n.children()) {
                if (c.nodeId() < 0 || c.nodeId() >= g.nodes.size()) {
                    throw new IllegalArgumentException("child '" + c.localName() + "' points to node " + c.nodeId()
                            + " of a graph with " + g.nodes.size() + " nodes");
                }
            }
        }
        return g;
    }

    public List<Node> nodes() { return nodes; }

    public int size() { return nodes.size(); }

    public Node node(int id) { return nodes.get(id); }

    public Node root() { return nodes.get(0); }

    /** TensorFlow's wire format, as a checkpoint stores it under {@link #KEY} (a SavedModel's saver embeds it too). */
    public byte[] toBytes() { return ObjectGraphCodec.serialize(this); }

    /** The node reached from {@code from} through the named children, e.g. {@code child(root, "model", "_operations")}. */
    public Optional<Integer> path(int from, String... names) {
        int at = from;
        for (String name : names) {
            Optional<Integer> next = nodes.get(at).child(name);
            if (next.isEmpty()) return Optional.empty();
            at = next.get();
        }
        return Optional.of(at);
    }

    /** A named edge to another node. */
    public record Child(int nodeId, String localName) {
        public Child { Objects.requireNonNull(localName, "localName"); }
    }

    /** A saved value of a node; {@code checkpointKey} is its bundle key. */
    public record Attribute(String name, String fullName, String checkpointKey) {
        public Attribute {
            Objects.requireNonNull(name, "name");
            fullName = Objects.requireNonNullElse(fullName, "");
            Objects.requireNonNull(checkpointKey, "checkpointKey");
        }
    }

    /** An optimizer slot (e.g. {@code m}) of the variable at {@code originalVariableNodeId}, held by an optimizer node. */
    public record SlotVariable(int originalVariableNodeId, String slotName, int slotVariableNodeId) {}

    /** One object. */
    public record Node(List<Child> children, List<Attribute> attributes, List<SlotVariable> slotVariables) {
        public Node {
            children = List.copyOf(children);
            attributes = List.copyOf(attributes);
            slotVariables = List.copyOf(slotVariables);
        }

        public static Node of(List<Child> children, List<Attribute> attributes) {
            return new Node(children, attributes, List.of());
        }

        public Optional<Integer> child(String localName) {
            for (Child c : children) if (c.localName().equals(localName)) return Optional.of(c.nodeId());
            return Optional.empty();
        }

        /** The checkpoint key of this node's value when it is a variable. */
        public Optional<Attribute> variableValue() {
            for (Attribute a : attributes) if (a.name().equals(VARIABLE_VALUE)) return Optional.of(a);
            return Optional.empty();
        }
    }

    /** Builds a graph node by node; {@link #add} returns the new node's id so parents can link to it later. */
    public static final class Builder {
        private final List<List<Child>> children = new ArrayList<>();
        private final List<List<Attribute>> attributes = new ArrayList<>();
        private final List<List<SlotVariable>> slots = new ArrayList<>();

        public int add() {
            children.add(new ArrayList<>());
            attributes.add(new ArrayList<>());
            slots.add(new ArrayList<>());
            return children.size() - 1;
        }

        public Builder child(int parent, String localName, int child) {
            children.get(parent).add(new Child(child, localName));
            return this;
        }

        public Builder attribute(int node, Attribute attribute) {
            attributes.get(node).add(attribute);
            return this;
        }

        public Builder slot(int optimizerNode, SlotVariable slot) {
            slots.get(optimizerNode).add(slot);
            return this;
        }

        public TrackableObjectGraph build() {
            List<Node> nodes = new ArrayList<>();
            for (int i = 0; i < children.size(); i++) nodes.add(new Node(children.get(i), attributes.get(i), slots.get(i)));
            return of(nodes);
        }
    }

    public static Builder builder() { return new Builder(); }
}
