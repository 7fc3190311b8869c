package io.keras4j.format.checkpoint.bundle;

import com.google.protobuf.InvalidProtocolBufferException;
import io.keras4j.tf.proto.CheckpointProtos;
import java.util.ArrayList;
import java.util.List;

/** Converts {@link TrackableObjectGraph} to and from TensorFlow's wire format. */
final class ObjectGraphCodec {
    private ObjectGraphCodec() {}

    static TrackableObjectGraph parse(byte[] bytes) throws InvalidProtocolBufferException {
        CheckpointProtos.TrackableObjectGraph proto = CheckpointProtos.TrackableObjectGraph.parseFrom(bytes);
        List<TrackableObjectGraph.Node> nodes = new ArrayList<>();
        for (var n : proto.getNodesList()) {
            List<TrackableObjectGraph.Child> children = new ArrayList<>();
            for (var c : n.getChildrenList()) children.add(new TrackableObjectGraph.Child(c.getNodeId(), c.getLocalName()));
            List<TrackableObjectGraph.Attribute> attributes = new ArrayList<>();
            for (var a : n.getAttributesList()) {
                attributes.add(new TrackableObjectGraph.Attribute(a.getName(), a.getFullName(), a.getCheckpointKey()));
            }
            List<TrackableObjectGraph.SlotVariable> slots = new ArrayList<>();
            for (var s : n.getSlotVariablesList()) {
                slots.add(new TrackableObjectGraph.SlotVariable(s.getOriginalVariableNodeId(), s.getSlotName(), s.getSlotVariableNodeId()));
            }
            nodes.add(new TrackableObjectGraph.Node(children, attributes, slots));
        }
        return TrackableObjectGraph.of(nodes);
    }

    static byte[] serialize(TrackableObjectGraph graph) {
        var proto = CheckpointProtos.TrackableObjectGraph.newBuilder();
        for (TrackableObjectGraph.Node n : graph.nodes()) {
            var node = proto.addNodesBuilder();
            for (var c : n.children()) node.addChildrenBuilder().setNodeId(c.nodeId()).setLocalName(c.localName());
            for (var a : n.attributes()) {
                node.addAttributesBuilder().setName(a.name()).setFullName(a.fullName()).setCheckpointKey(a.checkpointKey());
            }
            for (var s : n.slotVariables()) {
                node.addSlotVariablesBuilder().setOriginalVariableNodeId(s.originalVariableNodeId())
                        .setSlotName(s.slotName()).setSlotVariableNodeId(s.slotVariableNodeId());
            }
        }
        return proto.build().toByteArray();
    }
}
