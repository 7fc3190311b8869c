package io.keras4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "predict", description = "Run the model on .npy inputs (needs the runtime module).", hidden = true)
final class PredictCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new io.keras4j.UnsupportedModelException("predict is not available yet: the runtime module is not part of this build");
    }
}
