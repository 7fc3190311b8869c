"""Restores a keras4j-written checkpoint of the zoo's `trained` model in real Keras, optimizer included.

usage: check_optimizer_restore.py k2|k3 WRITTEN_PREFIX ZOO_MODEL_DIR [--deferred]

Builds the model from model.json (fresh random weights), compiles it with Adam and zeroes every optimizer variable,
restores the checkpoint (tf_keras: model.load_weights; Keras 3: tf.train.Checkpoint(model=m).read), then compares
each optimizer variable with the zoo's own checkpoint (real Keras's values, read with tf.train.load_checkpoint) and
the predictions with outputs_0.npy. Without --deferred the optimizer is built before the restore; with it, after
(TensorFlow must then restore the variables as they are created). Exit 1 on any difference.
"""
import os, sys
gen, written, zoo = sys.argv[1], sys.argv[2], sys.argv[3]
deferred = "--deferred" in sys.argv
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
if gen == "k2":
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
import numpy as np, tensorflow as tf
if gen == "k2":
    import tf_keras as keras
else:
    import keras

with open(os.path.join(zoo, "model.json")) as f:
    model = keras.models.model_from_json(f.read())
model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy")
opt = model.optimizer

def build_and_zero():
    opt.build(model.trainable_variables)
    for v in opt.variables:
        v.assign(tf.zeros_like(v))

if not deferred:
    build_and_zero()
if gen == "k2":
    model.load_weights(written).expect_partial()
    prefix = "optimizer/"
else:
    tf.train.Checkpoint(model=model).read(written).expect_partial()
    prefix = "model/optimizer/"
if deferred:
    opt.build(model.trainable_variables)

real = tf.train.load_checkpoint(os.path.join(zoo, "ckpt", "ckpt"))
suffix = "/.ATTRIBUTES/VARIABLE_VALUE"
def real_value(index, var):
    name = var.path if hasattr(var, "path") else var.name
    for alias in ("iteration", "learning_rate"):
        if name.split("/")[-1].split(":")[0] == alias:
            return real.get_tensor(prefix + "_" + ("iterations" if alias == "iteration" else alias) + suffix)
    return real.get_tensor(prefix + "_variables/" + str(index) + suffix)

failures = 0
variables = list(opt.variables)
if gen == "k2" and all("learning_rate" not in v.name for v in variables):
    variables.append(opt._learning_rate)
for i, v in enumerate(variables):
    want, got = real_value(i, v), np.asarray(v)
    ok = got.shape == want.shape and np.array_equal(got, want)
    failures += not ok
    print(("OK  " if ok else "BAD ") + (v.path if hasattr(v, "path") else v.name), got.shape, float(np.abs(got - want).max()) if got.shape == want.shape else "shape")
x = np.load(os.path.join(zoo, "inputs_0.npy"))
pred_diff = float(np.abs(np.asarray(model(x, training=False)) - np.load(os.path.join(zoo, "outputs_0.npy"))).max())
print(f"{len(variables)} optimizer variables, {failures} differ; predictions max abs diff {pred_diff}")
sys.exit(1 if failures or pred_diff > 1e-5 else 0)
