/** The keras4j command line. Codecs arrive through ServiceLoader; the CLI names none of them. */
module io.keras4j.cli {
    requires io.keras4j.api;
    requires io.keras4j.core;
    requires io.keras4j.runtime;
    requires info.picocli;
    requires org.slf4j;

    uses io.keras4j.spi.Codec;

    opens io.keras4j.cli to info.picocli;
}
