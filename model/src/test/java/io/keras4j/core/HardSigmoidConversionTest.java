package io.keras4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.keras4j.UnsupportedModelException;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * tf.keras's hard_sigmoid is clip(0.2x + 0.5, 0, 1), Keras 3's relu6(x + 3) / 6: converting to Keras 3 keeps the name,
 * so a writer must refuse, naming every layer that would predict differently, unless the user allows the change; then
 * each is a warning.
 */
class HardSigmoidConversionTest {
    private static final Path MODEL = Path.of("src/test/resources/dialects/hard_sigmoids.json");

    @Test
    void convertingToKeras3IsRefusedNamingEachLayerUsingHardSigmoid() throws Exception {
        Model tfKeras = KerasJson.readModel(Files.readString(MODEL), MODEL);
        assertThatThrownBy(() -> Dialects.convertForWriting(tfKeras, Dialect.KERAS3))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContainingAll("would change its predictions", "LSTM layer 'lstm': recurrent_activation hard_sigmoid",
                        "Dense layer 'gate': activation hard_sigmoid", "Activation layer 'squash': activation hard_sigmoid",
                        "--allow-semantic-change");
        assertThatThrownBy(() -> KerasJson.toTree(tfKeras, Dialect.KERAS3)).isInstanceOf(UnsupportedModelException.class);
        assertThat(Dialects.convertForWriting(tfKeras, Dialect.KERAS2)).as("same generation: nothing changes").isSameAs(tfKeras);
    }

    @Test
    void allowedConversionToKeras3WarnsForEachLayerUsingHardSigmoid() throws Exception {
        Model silent = KerasJson.readModel(Files.readString(MODEL), MODEL);
        assertThat(Dialects.meaningChanges(silent, Dialect.KERAS2)).as("same generation").isEmpty();
        Model tfKeras = KerasJson.readModel(Files.readString(MODEL), MODEL);
        Logger logger = (Logger) LoggerFactory.getLogger(Dialects.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            Dialects.convertForWriting(tfKeras, Dialect.KERAS3, true);
        } finally {
            logger.detachAppender(events);
        }
        assertThat(events.list).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                .satisfiesExactlyInAnyOrder(
                        m -> assertThat(m).contains("LSTM layer 'lstm': recurrent_activation hard_sigmoid", "relu6(x + 3) / 6"),
                        m -> assertThat(m).contains("Dense layer 'gate': activation hard_sigmoid"),
                        m -> assertThat(m).contains("Activation layer 'squash': activation hard_sigmoid"));
    }

    /** Keras 1 called an LSTM's gate activation inner_activation: the DL4J simple_lstm example's LSTM uses hard_sigmoid. */
    @Test
    void keras1InnerActivationChangesMeaningInKeras3Only() throws Exception {
        Path config = Fixtures.publicFixtures().resolve(
                "dl4j-test-resources/src/main/resources/modelimport/keras/examples/simple_lstm/simple_lstm_tf_keras_1_config.json");
        Model keras1 = KerasJson.readModel(Files.readString(config), config);
        assertThat(keras1.dialect()).isEqualTo(Dialect.KERAS1);
        assertThat(Dialects.meaningChanges(keras1, Dialect.KERAS2)).as("Keras 2 keeps clip(0.2x + 0.5)").isEmpty();
        assertThat(Dialects.meaningChanges(keras1, Dialect.KERAS3)).singleElement().asString()
                .contains("LSTM layer", "inner_activation hard_sigmoid", "relu6(x + 3) / 6 in Keras 3");
    }
}
