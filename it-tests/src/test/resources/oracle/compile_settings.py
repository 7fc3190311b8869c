"""What real Keras compiles a saved model with, as keras4j's CompileConfig names it: the optimizer's class and learning
rate, the loss and the metric names. Usage: python compile_settings.py k2|k3 MODEL_PATH OUT_JSON"""
import json
import os
import sys

gen, path, out = sys.argv[1:4]
if gen == "k2":
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tf_keras as k
    model = k.models.load_model(path)
    # tf_keras keeps the metrics as given to compile(), one list per output when it saved them so.
    user_metrics = model.compiled_metrics._user_metrics
else:
    import keras as k
    model = k.models.load_model(path, safe_mode=False)
    user_metrics = model._compile_metrics._user_metrics


def names(metrics):
    if isinstance(metrics, (list, tuple)):
        flat = [names(m) for m in metrics]
        return flat[0] if len(flat) == 1 and isinstance(flat[0], list) else flat
    return metrics if isinstance(metrics, str) else metrics.name


loss = model.loss
optimizer = model.optimizer
with open(out, "w") as f:
    json.dump({"optimizer": type(optimizer).__name__, "learning_rate": float(optimizer.learning_rate),
               "loss": loss if isinstance(loss, str) else loss.__name__, "metrics": names(user_metrics)}, f)
