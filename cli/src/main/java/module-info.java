/** The keras4j command line. Codecs arrive through ServiceLoader; the CLI names none of them. */
module io.keras4j.cli {
    requires io.keras4j.api;
    requires io.keras4j.core;
    requires io.keras4j.runtime;
    requires io.keras4j.tfgraph;
    requires info.picocli;
    requires org.slf4j;
    // plot: Eclipse ELK's layered layout (automatic modules; EMF and Guava come with them).
    requires org.eclipse.elk.core;
    requires org.eclipse.elk.graph;
    requires org.eclipse.elk.alg.layered;
    requires org.eclipse.emf.common;
    // ELK uses Guava but, as an automatic module, cannot say so; Guava is an explicit module, which the module system
    // resolves only when something requires it.
    requires com.google.common;

    uses io.keras4j.spi.Codec;

    opens io.keras4j.cli to info.picocli;
}
