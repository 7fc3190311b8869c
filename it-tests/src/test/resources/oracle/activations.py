"""Every activation function Keras 3 and tf_keras name, each in a small model (Dense then Activation(name)), with
Keras's predictions and the model saved as Keras writes it (.keras for Keras 3, .h5 for tf_keras). The names come from
the activations module itself. Usage: python activations.py OUT_DIR GEN (k3 or k2); OUT_DIR/names.txt lists them."""
import os
import sys

out, gen = sys.argv[1], sys.argv[2]
if gen == "k2":
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tf_keras as keras
else:
    import keras
import numpy as np

rng = np.random.default_rng(5)
# Functions of one tensor only: softmax-like ones take an axis, and serialize/deserialize/get are not activations.
NOT_ACTIVATIONS = {"serialize", "deserialize", "get"}
names = sorted(n for n, f in vars(keras.activations).items()
               if callable(f) and not n.startswith("_") and n[0].islower() and n not in NOT_ACTIVATIONS)
os.makedirs(out, exist_ok=True)
written = []
for name in names:
    keras.utils.set_random_seed(7)
    x = keras.Input((6,))
    try:
        m = keras.Model(x, keras.layers.Activation(name, name="act")(keras.layers.Dense(6, name="d")(x)), name=name)
        xin = rng.uniform(-4, 4, (3, 6)).astype("float32")
        y = m.predict(xin, verbose=0)
    except Exception as e:  # a function that is not an elementwise activation of one tensor
        print(f"{name}: not a model activation: {type(e).__name__}: {e}".splitlines()[0], file=sys.stderr)
        continue
    d = os.path.join(out, name)
    os.makedirs(d)
    np.save(os.path.join(d, "inputs_0.npy"), xin)
    np.save(os.path.join(d, "outputs_0.npy"), y)
    m.save(os.path.join(d, "model.keras" if gen == "k3" else "model.h5"))
    written.append(name)
with open(os.path.join(out, "names.txt"), "w") as f:
    f.write("\n".join(written) + "\n")
