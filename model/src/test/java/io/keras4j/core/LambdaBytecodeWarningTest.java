package io.keras4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A Lambda's function is the bytecode of the Python that saved the file; Keras 3 under another Python refuses it
 * ("bad marshal data": yolo9000's Python 3.6 Lambda, pinned in it-tests' public-json-keras3-failures.tsv), so a
 * conversion warns for each Lambda layer, while still writing it, since under the right Python it loads.
 */
class LambdaBytecodeWarningTest {
    @Test
    void convertingALambdaModelWarnsForEachLambdaLayer() throws Exception {
        Path yolo = Fixtures.publicFixtures().resolve(
                "dl4j-test-resources/src/main/resources/modelimport/keras/configs/keras2/yolo9000_tf_keras_2.json");
        Model tfKeras = KerasJson.readModel(Files.readString(yolo), yolo);
        long lambdas = tfKeras.layers().stream().filter(l -> l.className().equals("Lambda")).count();
        assertThat(lambdas).as("Lambda layers in yolo9000").isPositive();
        Logger logger = (Logger) LoggerFactory.getLogger(Dialects.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            Dialects.convertForWriting(tfKeras, Dialect.KERAS3);
        } finally {
            logger.detachAppender(events);
        }
        assertThat(events.list).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                .filteredOn(m -> m.startsWith("Lambda layer")).hasSize((int) lambdas)
                .allSatisfy(m -> assertThat(m).contains("holds Python bytecode", "Python version"));
        assertThat(Dialects.lambdaBytecode(KerasJson.readModel(Files.readString(
                Path.of("src/test/resources/dialects/hard_sigmoids.json")), null))).as("no Lambda, no warning").isEmpty();
    }
}
