package io.keras4j.it.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed fuzzing corpus (src/test/resources/fuzz/READER/: small seeds and every input a fuzzer or the damage
 * campaign found breaking the contract) through each reader, in every build and with no native code: the same
 * contract as {@code ReadersFuzzTest} under {@code -Pfuzz} ({@link Readers#check}). Tagged "campaign" so that it
 * runs in that surefire execution, at -Xmx256m: an input that allocates what a size field merely claims (Jazzer's
 * 2 GiB probe read of an HDF5 header) fails there, where a larger default heap would hide it.
 */
@org.junit.jupiter.api.Tag("campaign")
class ReaderCorpusTest {
    private static final Path CORPUS = Fixtures.root().resolve("it-tests/src/test/resources/fuzz");
    /** A hang detector, not a speed test: one small input taking this long is a runaway loop. */
    private static final long DEADLINE_SECONDS = 30;
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "corpus-load");
        t.setDaemon(true);
        return t;
    });

    @TempDir static Path work;

    @AfterAll
    static void stop() { WORKER.shutdownNow(); }

    @ParameterizedTest
    @EnumSource(Readers.class)
    void everyReaderHasACorpusStartingFromItsSeed(Readers reader) throws IOException {
        assertThat(inputs(reader)).as("corpus of %s", reader).isNotEmpty();
    }

    static Stream<Arguments> corpus() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (Readers r : Readers.values()) for (Path p : inputs(r)) out.add(Arguments.of(r, p.getFileName().toString()));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("corpus")
    void eachInputLoadsOrIsRefusedAsDocumented(Readers reader, String input) throws Exception {
        byte[] bytes = Files.readAllBytes(CORPUS.resolve(reader.corpusName()).resolve(input));
        Future<?> run = WORKER.submit(() -> reader.check(bytes, work.resolve(reader.corpusName())));
        try {
            run.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            throw new AssertionError(reader + " " + input + ": no outcome after " + DEADLINE_SECONDS + " s (a hang)");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) throw a;
            throw e;
        }
    }

    private static List<Path> inputs(Readers reader) throws IOException {
        Path dir = CORPUS.resolve(reader.corpusName());
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
