package io.keras4j.format.h5.hdf5;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** An immutable group: attributes and named children, both in insertion order. */
public final class H5Group implements H5Node {
    private final Map<String, H5Attribute> attributes;
    private final Map<String, H5Node> children;

    private H5Group(Builder b) {
        this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(b.attributes));
        this.children = Collections.unmodifiableMap(new LinkedHashMap<>(b.children));
    }

    public static Builder builder() { return new Builder(); }

    @Override public Map<String, H5Attribute> attributes() { return attributes; }

    public Map<String, H5Node> children() { return children; }

    public Optional<H5Node> child(String name) { return Optional.ofNullable(children.get(name)); }

    public Optional<H5Group> group(String name) {
        return child(name).filter(H5Group.class::isInstance).map(H5Group.class::cast);
    }

    /** The node at a slash-separated path below this group. */
    public Optional<H5Node> find(String path) {
        H5Node node = this;
        for (String part : path.split("/")) {
            if (part.isEmpty()) continue;
            if (!(node instanceof H5Group g)) return Optional.empty();
            node = g.children.get(part);
            if (node == null) return Optional.empty();
        }
        return Optional.of(node);
    }

    public Optional<H5Group> findGroup(String path) {
        return find(path).filter(H5Group.class::isInstance).map(H5Group.class::cast);
    }

    public static final class Builder {
        private final Map<String, H5Attribute> attributes = new LinkedHashMap<>();
        private final Map<String, H5Node> children = new LinkedHashMap<>();

        public Builder attribute(String name, H5Attribute value) { attributes.put(name, value); return this; }

        public Builder child(String name, H5Node node) {
            if (name.isEmpty() || name.contains("/") || name.equals(".")) {
                throw new IllegalArgumentException("not a valid HDF5 link name: '" + name + "'");
            }
            children.put(name, node);
            return this;
        }

        public boolean hasChild(String name) { return children.containsKey(name); }

        public H5Group build() { return new H5Group(this); }
    }
}
