"""One small model per optimizer, compiled and trained two steps in one Keras generation, saved with its optimizer
state as that generation saves a full model (tf_keras: model.h5, Keras 3: model.keras), with its predictions and the
batch of a further training step (labels unlike the training ones, so that the step depends on the saved state).

Usage: python compiled_optimizers.py k2|k3 OUT_DIR   (writes OUT_DIR/ID/..., and OUT_DIR/optimizers.json)"""
import json
import os
import sys

gen, out = sys.argv[1], sys.argv[2]
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
if gen == "k2":
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tf_keras as k
else:
    import keras as k
import numpy as np

OPTIMIZERS = {
    "rmsprop": ("RMSprop", {"learning_rate": 0.01}),
    "rmsprop-momentum-centered": ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1}),
    "adadelta": ("Adadelta", {"learning_rate": 1.0}),
    "adamax": ("Adamax", {"learning_rate": 0.01}),
    "nadam": ("Nadam", {"learning_rate": 0.01}),
    "ftrl": ("Ftrl", {"learning_rate": 0.1}),
    "lion": ("Lion", {"learning_rate": 0.01}),
}

rng = np.random.default_rng(7)
x = rng.standard_normal((8, 3)).astype("float32")
y = rng.standard_normal((8, 2)).astype("float32")
x_next = rng.standard_normal((8, 3)).astype("float32")
y_next = -y
written = {}
for oid, (cls, kwargs) in OPTIMIZERS.items():
    k.utils.set_random_seed(3)
    model = k.Sequential([k.Input((3,)), k.layers.Dense(4, activation="tanh", name="hidden"),
                          k.layers.Dense(2, name="out")], name="opt_" + oid.replace("-", "_"))
    model.compile(optimizer=getattr(k.optimizers, cls)(**kwargs), loss="mse")
    for _ in range(2):
        model.train_on_batch(x, y)
    d = os.path.join(out, oid)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.h5" if gen == "k2" else "model.keras")
    model.save(path)
    np.save(os.path.join(d, "inputs_0.npy"), x)
    np.save(os.path.join(d, "outputs_0.npy"), np.asarray(model(x, training=False)))
    np.save(os.path.join(d, "x_next.npy"), x_next)
    np.save(os.path.join(d, "y_next.npy"), y_next)
    written[oid] = {"class_name": cls, "path": path, "variables": len(model.optimizer.variables)}
with open(os.path.join(out, "optimizers.json"), "w") as f:
    json.dump(written, f, indent=1)
