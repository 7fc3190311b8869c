package io.keras4j.cli;

import io.keras4j.Keras4j;
import io.keras4j.spi.Codec;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "codecs", description = "List every codec found, its version, what it reads and writes, and load errors.")
final class CodecsCommand implements Callable<Integer> {
    private final Keras4j keras;
    @Spec CommandSpec spec;

    CodecsCommand(Keras4j keras) { this.keras = keras; }

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.printf("%-16s %-15s %-44s %-44s %s%n", "CODEC", "VERSION", "READS", "WRITES", "DESCRIPTION");
        for (Codec c : keras.registry().codecs()) {
            out.printf("%-16s %-15s %-44s %-44s %s%n", c.name(), c.version(), join(c.reads()), join(c.writes()), c.description());
        }
        if (keras.registry().codecs().isEmpty()) out.println("(no codecs found on the class path)");
        for (String p : keras.registry().problems()) out.println("PROBLEM: " + p);
        return Main.OK;
    }

    private static String join(java.util.Set<?> s) {
        return s.isEmpty() ? "-" : s.stream().map(Object::toString).map(String::toLowerCase).sorted().collect(Collectors.joining(","));
    }
}
