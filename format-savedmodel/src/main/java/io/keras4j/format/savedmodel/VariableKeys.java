package io.keras4j.format.savedmodel;

import io.keras4j.format.checkpoint.bundle.TrackableObjectGraph;
import io.keras4j.tf.proto.ObjectReference;
import io.keras4j.tf.proto.SavedObject;
import io.keras4j.tf.proto.SavedObjectGraph;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where each variable of a SavedObjectGraph is stored in {@code variables/}: the checkpoint's TrackableObjectGraph
 * has the same objects under the same child names, so walking both graphs from their roots in step pairs every
 * SavedVariable node with the checkpoint node whose {@code VARIABLE_VALUE} attribute names its key. (TensorFlow
 * also writes both graphs with the same node ids; walking by name does not depend on that.)
 */
final class VariableKeys {
    private final Map<Integer, String> keyByNode;

    private VariableKeys(Map<Integer, String> keyByNode) { this.keyByNode = keyByNode; }

    static VariableKeys map(SavedObjectGraph saved, TrackableObjectGraph checkpoint) {
        Map<Integer, Integer> paired = new HashMap<>();
        Deque<int[]> queue = new ArrayDeque<>();
        if (saved.getNodesCount() > 0 && checkpoint.size() > 0) queue.add(new int[] {0, 0});
        while (!queue.isEmpty()) {
            int[] pair = queue.poll();
            if (paired.putIfAbsent(pair[0], pair[1]) != null) continue;
            TrackableObjectGraph.Node ckptNode = checkpoint.node(pair[1]);
            for (ObjectReference child : saved.getNodes(pair[0]).getChildrenList()) {
                if (child.getNodeId() < 0 || child.getNodeId() >= saved.getNodesCount()) continue;
                ckptNode.child(child.getLocalName()).filter(id -> id >= 0 && id < checkpoint.size())
                        .ifPresent(id -> queue.add(new int[] {child.getNodeId(), id}));
            }
        }
        Map<Integer, String> keys = new HashMap<>();
        paired.forEach((savedId, ckptId) -> {
            SavedObject node = saved.getNodes(savedId);
            if (node.getKindCase() == SavedObject.KindCase.VARIABLE) {
                checkpoint.node(ckptId).variableValue().ifPresent(a -> keys.put(savedId, a.checkpointKey()));
            }
        });
        return new VariableKeys(keys);
    }

    static VariableKeys none() { return new VariableKeys(Map.of()); }

    /** The checkpoint key of a SavedVariable node, when the checkpoint stores it. */
    Optional<String> key(int savedNodeId) { return Optional.ofNullable(keyByNode.get(savedNodeId)); }
}
