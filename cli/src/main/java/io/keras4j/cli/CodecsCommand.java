package io.keras4j.cli;

import io.keras4j.spi.Codec;
import io.keras4j.spi.CodecInfo;
import io.keras4j.spi.WriteProperty;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "codecs", mixinStandardHelpOptions = true,
        description = "List every codec found, its version, what it reads and writes, the --set keys it takes, and load errors.")
final class CodecsCommand implements Callable<Integer> {
    private final Main.Context context;
    @Spec CommandSpec spec;

    CodecsCommand(Main.Context context) { this.context = context; }

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var codecs = context.keras().registry().codecs();
        if (codecs.isEmpty()) {
            out.println("(no codecs found on the class path)");
        } else {
            Table t = new Table("CODEC", "VERSION", "READS", "WRITES", "DESCRIPTION");
            for (Codec c : codecs) {
                CodecInfo i = c.info();
                t.add(i.name(), i.version(), join(i.reads()), join(i.writes()), i.description());
            }
            t.print(out, context.unicode());
            Table props = new Table("CODEC", "--set KEY", "VALUES", "MEANING");
            for (Codec c : codecs) {
                for (WriteProperty p : c.info().writeProperties()) props.add(c.info().name(), p.key(), p.values(), p.description());
            }
            if (props.size() > 0) {
                out.println();
                out.println("Write properties (keras4j convert IN OUT --set KEY=VALUE):");
                props.print(out, context.unicode());
            }
        }
        context.keras().registry().preferred().ifPresent(p -> out.println("PREFERRED on ties: " + p
                + " (-D" + io.keras4j.spi.CodecRegistry.PREFER_PROPERTY + ")"));
        for (String p : context.keras().registry().problems()) out.println("PROBLEM: " + p);
        return Main.OK;
    }

    private static String join(java.util.Set<?> s) {
        return s.isEmpty() ? "-" : s.stream().map(Object::toString).map(String::toLowerCase).sorted().collect(Collectors.joining(","));
    }
}
