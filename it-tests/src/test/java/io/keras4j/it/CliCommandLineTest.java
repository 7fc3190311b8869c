package io.keras4j.it;

import static io.keras4j.it.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.cli.Main;
import io.keras4j.it.CliTest.Run;
import io.keras4j.spi.Codec;
import io.keras4j.spi.WriteProperty;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** Issue #17, step 1: help, completion, the --set keys and the exit codes the README documents. */
class CliCommandLineTest {
    @TempDir Path dir;

    private static CommandLine tree() {
        return Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), StandardCharsets.UTF_8);
    }

    @Test
    void everyCommandHasHelpAndEveryParameterADescription() {
        List<String> names = new ArrayList<>(tree().getSubcommands().keySet());
        assertThat(names).contains("info", "convert", "codecs", "predict", "plot", "completion", "help");
        for (String name : names) {
            CommandSpec spec = tree().getSubcommands().get(name).getCommandSpec();
            if (!name.equals("help")) {
                assertThat(spec.optionsMap()).as("%s has --help and --version", name).containsKeys("--help", "--version");
                Run viaOption = run(name, "--help");
                assertThat(viaOption.code()).as(name + " --help: " + viaOption.err()).isZero();
                assertThat(viaOption.out()).startsWith("Usage: keras4j " + name);
                Run viaHelp = run("help", name);
                assertThat(viaHelp.code()).as("help " + name).isZero();
                assertThat(viaHelp.out()).isEqualTo(viaOption.out());
            }
            List<ArgSpec> args = new ArrayList<>(spec.options());
            args.addAll(spec.positionalParameters());
            for (ArgSpec a : args) {
                String label = a.isOption() ? ((CommandLine.Model.OptionSpec) a).longestName() : a.paramLabel();
                assertThat(String.join(" ", a.description()).strip()).as("%s %s has a description", name, label).isNotEmpty();
            }
        }
        Run unknown = run("help", "frobnicate");
        assertThat(unknown.code()).isEqualTo(Main.USAGE);
    }

    @Test
    void bashCompletionCompletesCommandsAndOptions() throws Exception {
        Run bash = run("completion", "bash");
        assertThat(bash.code()).as(bash.err()).isZero();
        Path script = Files.writeString(dir.resolve("keras4j.bash"), bash.out());
        assertThat(complete(script, "keras4j", "inf")).containsExactly("info");
        assertThat(complete(script, "keras4j", "convert", "--se")).containsExactly("--set");
        assertThat(complete(script, "keras4j", "completion", "z")).containsExactly("zsh");
        assertThat(complete(script, "keras4j", "help", "conv")).containsExactly("convert");
        Run zsh = run("completion", "zsh");
        assertThat(zsh.code()).isZero();
        assertThat(zsh.out()).as("zsh runs the bash script through bashcompinit").contains("bashcompinit");
        assertThat(run("completion", "fish").code()).isEqualTo(Main.USAGE);
        assertThat(run("completion").code()).isEqualTo(Main.USAGE);
    }

    /** Sources the script in a real bash and asks its completion function for the candidates of the last word. */
    private static List<String> complete(Path script, String... words) throws Exception {
        String line = "source " + script + "; COMP_WORDS=(" + String.join(" ", words) + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE='" + String.join(" ", words) + "'; COMP_POINT=${#COMP_LINE}; _complete_keras4j; "
                + "printf '%s\\n' \"${COMPREPLY[@]}\"";
        Process p = new ProcessBuilder("bash", "-c", line)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start(); // compopt complains outside an interactive completion
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** Every key a codec declares is shown by codecs and convert --help. */
    @Test
    void setKeysAreListedPerCodec() {
        List<WriteProperty> declared = new ArrayList<>();
        for (Codec c : Keras4j.create().registry().codecs()) declared.addAll(c.info().writeProperties());
        assertThat(declared).extracting(WriteProperty::key)
                .contains("keras.zipped", "savedmodel.kerasObjects", "weights-sharded.maxShardBytes");
        Run codecs = run("codecs");
        Run help = run("convert", "--help");
        for (WriteProperty p : declared) {
            assertThat(codecs.out()).contains(p.key()).contains(p.description());
            assertThat(help.out()).contains(p.key() + "=VALUE");
        }
    }

    @Test
    void anUnknownSetKeyExitsTwoNamingTheClosestKey() {
        String in = CliTest.zooFile("mlp-k3", "keras");
        Path sm = dir.resolve("sm");
        Run typo = run("convert", in, sm.toString(), "--set", "savedmodel.kerasObject=false");
        assertThat(typo.code()).as(typo.err()).isEqualTo(Main.USAGE);
        assertThat(typo.err()).contains("savedmodel.kerasObject:").contains("did you mean savedmodel.kerasObjects?");
        assertThat(sm).doesNotExist();
        Path h5 = dir.resolve("m.h5");
        Run elsewhere = run("convert", in, h5.toString(), "--set", "keras.zipped=false");
        assertThat(elsewhere.code()).as(elsewhere.err()).isEqualTo(Main.USAGE);
        assertThat(elsewhere.err()).contains("codec 'h5' has no such property").contains("is for another codec");
        assertThat(h5).doesNotExist();
        Run ok = run("convert", in, dir.resolve("d.keras").toString(), "--set", "keras.zipped=false");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(dir.resolve("d.keras/config.json")).exists();
    }

    /** README: 3 unknown format, for a name that says no format to write as much as for an input none recognises. */
    @Test
    void anUnknownOutputFormatExitsThree() {
        Path out = dir.resolve("model.xyz");
        Run r = run("convert", CliTest.zooFile("mlp-k3", "keras"), out.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(Main.UNKNOWN_FORMAT);
        assertThat(r.err()).contains("model.xyz").contains("installed");
        assertThat(out).doesNotExist();
        Run missing = run("convert", CliTest.zooFile("mlp-k3", "keras"), dir.resolve("m.h5").toString(), "--to", "onnx");
        assertThat(missing.code()).as(missing.err()).isEqualTo(Main.UNKNOWN_FORMAT);
    }

    /** The README's exit-code line is what Main's constants say. */
    @Test
    void readmeDocumentsTheExitCodes() throws Exception {
        String readme = Files.readString(io.keras4j.testing.Fixtures.root().resolve("README.md"));
        assertThat(readme).contains("Exit codes: 0 done, 2 usage").contains(Main.UNKNOWN_FORMAT + " unknown format")
                .contains(Main.BAD_INPUT + " unsupported or corrupt input").contains("1 any other failure")
                .contains(Main.CODEC_FAILURE + " a codec's own bug");
        assertThat(Main.USAGE).isEqualTo(2);
        Run help = run("--help");
        assertThat(help.out()).contains("3 unknown format,").contains("4 unsupported or corrupt input, 5 a codec's own bug");
    }

    /**
     * A codec's own bug is not bad input: exit 5 and a message naming the codec and asking for a report. The toy codec
     * (it-tests/third-party-codec) parses a layer's units unchecked, so a word there escapes it as a
     * NumberFormatException; a line with a field missing is input it checks, so that is corrupt input, exit 4.
     */
    @Test
    void aCodecsOwnBugExitsFiveNamingTheCodec() throws Exception {
        Path buggy = Files.writeString(dir.resolve("net.toy"), "#toy-keras-model v1\nhidden Dense sixteen\n");
        Run bug = run("info", buggy.toString());
        assertThat(bug.code()).as(bug.err()).isEqualTo(Main.CODEC_FAILURE);
        assertThat(bug.err()).contains("keras4j: codec 'toy' failed unexpectedly reading " + buggy + ": java.lang.NumberFormatException")
                .contains("this is a bug in the codec, please report it").contains("KERAS4J_TRACE=1")
                .doesNotContain("corrupt");
        Path corrupt = Files.writeString(dir.resolve("short.toy"), "#toy-keras-model v1\nhidden Dense\n");
        Run bad = run("info", corrupt.toString());
        assertThat(bad.code()).as(bad.err()).isEqualTo(Main.BAD_INPUT);
        assertThat(bad.err()).contains("toy: expected 'name ClassName units'").doesNotContain("bug");
    }

    /** {@code -Dkeras4j.codec.prefer=NAME} (KERAS4J_JAVA_OPTS for the launcher) is shown by codecs, and a typo reported. */
    @Test
    void codecsShowsThePreferredCodecAndAPreferenceNotInstalled() {
        String before = System.getProperty(io.keras4j.spi.CodecRegistry.PREFER_PROPERTY);
        try {
            System.setProperty(io.keras4j.spi.CodecRegistry.PREFER_PROPERTY, "toy");
            Run toy = run("codecs");
            assertThat(toy.code()).as(toy.err()).isZero();
            assertThat(toy.out()).contains("PREFERRED on ties: toy (-Dkeras4j.codec.prefer)").doesNotContain("PROBLEM");
            System.setProperty(io.keras4j.spi.CodecRegistry.PREFER_PROPERTY, "hdf5");
            Run typo = run("codecs");
            assertThat(typo.code()).as(typo.err()).isZero();
            assertThat(typo.out()).doesNotContain("PREFERRED").contains("PROBLEM: the preferred codec 'hdf5' is not installed");
        } finally {
            if (before == null) System.clearProperty(io.keras4j.spi.CodecRegistry.PREFER_PROPERTY);
            else System.setProperty(io.keras4j.spi.CodecRegistry.PREFER_PROPERTY, before);
        }
    }
}
