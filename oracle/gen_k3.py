"""Keras 3 worker of generate.py: saves zoo models in every Keras 3 format."""

import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import logging as absl_logging  # noqa: E402

import zoo_custom  # noqa: E402
from gen_common import Format, predict, run_worker  # noqa: E402
from serving import call_serving  # noqa: E402

absl_logging.set_verbosity(absl_logging.ERROR)  # legacy-format advice and load noise
tf.get_logger().setLevel("ERROR")
warnings.filterwarnings("ignore", message=".*HDF5 file.*")  # legacy-format advice
zoo_custom.custom_objects(keras)
# The `lambda` model's Lambda layer is stored as marshalled bytecode.
keras.config.enable_unsafe_deserialization()


def shard_size_gb(model):
    """A max_shard_size (GB) that splits the weights into at least two shards: no
    larger than half the total, never smaller than the largest variable."""
    sizes = [np.asarray(w.numpy()).nbytes for w in model.weights]
    return (max(max(sizes), sum(sizes) / 2) + 0.5) / 1024**3


def write_json(model, path):
    with open(path, "w") as f:
        f.write(model.to_json())


def write_checkpoint(model, prefix):
    ckpt = tf.train.Checkpoint(model=model)
    ckpt.write(prefix)  # exactly <prefix>.index/.data-*
    ckpt.save(prefix)   # <prefix>-1.* plus the `checkpoint` state file


def load_model(ctx, path):
    return predict(keras.saving.load_model(path, safe_mode=False), ctx.inputs)


def load_weights(ctx, path):
    model = ctx.fresh()
    model.load_weights(path)
    return predict(model, ctx.inputs)


def load_json(ctx, path):
    with open(path) as f:
        model = keras.models.model_from_json(f.read())
    model.set_weights(ctx.model.get_weights())
    return predict(model, ctx.inputs)


def load_savedmodel(ctx, path):
    return call_serving(tf.saved_model.load(path), ctx.inputs)


def load_checkpoint(ctx, prefix):
    model = ctx.fresh()
    tf.train.Checkpoint(model=model).read(prefix).expect_partial()
    return predict(model, ctx.inputs)


FORMATS = [
    Format("keras", "model.keras", lambda m, p: m.save(p), load_model),
    # Keras 3.15 refuses a ".keras" suffix with zipped=False, hence "model_dir".
    Format("keras-dir", "model_dir", lambda m, p: m.save(p, zipped=False), load_model, "dir"),
    Format("h5", "model.h5", lambda m, p: m.save(p), load_model),
    Format("weights-h5", "model.weights.h5", lambda m, p: m.save_weights(p), load_weights),
    Format("weights-sharded", "sharded/model.weights.json",
           lambda m, p: m.save_weights(p, max_shard_size=shard_size_gb(m)), load_weights, "folder"),
    Format("json", "model.json", write_json, load_json),
    Format("savedmodel", "savedmodel",
           lambda m, p: m.export(p, format="tf_saved_model", verbose=False), load_savedmodel, "dir"),
    Format("checkpoint", "ckpt/ckpt", write_checkpoint, load_checkpoint, "folder"),
]

if __name__ == "__main__":
    run_worker("k3", keras, FORMATS)
