"""Keras 2 (tf_keras) worker of generate.py: saves zoo models in every Keras 2 format.

Runs with TF_USE_LEGACY_KERAS=1, in its own process: tf_keras and Keras 3 must not
share one TensorFlow runtime.
"""

import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
os.environ["TF_USE_LEGACY_KERAS"] = "1"

import tensorflow as tf  # noqa: E402
from absl import logging as absl_logging  # noqa: E402
import tf_keras  # noqa: E402

import zoo_custom  # noqa: E402
from gen_common import Format, predict, run_worker  # noqa: E402

absl_logging.set_verbosity(absl_logging.ERROR)  # legacy-format advice and load noise
tf.get_logger().setLevel("ERROR")  # "compiled metrics have yet to be built" noise
warnings.filterwarnings("ignore", message=".*HDF5 file.*")  # legacy-format advice
zoo_custom.custom_objects(tf_keras)
# The `lambda` model's Lambda layer is stored as marshalled bytecode.
tf_keras.__internal__.enable_unsafe_deserialization()


def write_json(model, path):
    with open(path, "w") as f:
        f.write(model.to_json())


def load_model(ctx, path):
    return predict(tf_keras.models.load_model(path, safe_mode=False), ctx.inputs)


def load_weights(ctx, path):
    model = ctx.fresh()
    status = model.load_weights(path)
    if status is not None:  # TF-format checkpoints return a restore status
        status.expect_partial()
    return predict(model, ctx.inputs)


def load_json(ctx, path):
    with open(path) as f:
        model = tf_keras.models.model_from_json(f.read())
    model.set_weights(ctx.model.get_weights())
    return predict(model, ctx.inputs)


FORMATS = [
    Format("h5", "model.h5", lambda m, p: m.save(p), load_model),
    Format("weights-h5-k2", "weights.h5", lambda m, p: m.save_weights(p), load_weights),
    Format("checkpoint", "ckpt/ckpt", lambda m, p: m.save_weights(p, save_format="tf"),
           load_weights, "folder"),
    Format("savedmodel", "savedmodel", lambda m, p: m.save(p, save_format="tf"), load_model, "dir"),
    Format("json", "model.json", write_json, load_json),
    Format("keras", "model.keras", lambda m, p: m.save(p), load_model),
]

if __name__ == "__main__":
    run_worker("k2", tf_keras, FORMATS)
