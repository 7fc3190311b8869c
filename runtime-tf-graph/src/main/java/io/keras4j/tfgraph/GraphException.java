package io.keras4j.tfgraph;

/** A kernel's complaint about its inputs or attributes; the interpreter adds the node and function it came from. */
final class GraphException extends RuntimeException {
    GraphException(String message) { super(message); }
}
