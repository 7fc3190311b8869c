"""A tf_keras model whose layer names hold "/" (as MobileNetV3 and other applications name them: Conv/BatchNorm),
with Keras's predictions, its .h5, save_weights .h5 and JSON. Usage: python slash_names.py OUT_DIR"""
import os, sys, json
os.environ["TF_USE_LEGACY_KERAS"] = "1"
import numpy as np
import tf_keras as k
out = sys.argv[1]
k.utils.set_random_seed(3)
inp = k.Input((8, 8, 3), name="image")
x = k.layers.Conv2D(4, 3, name="Conv")(inp)
x = k.layers.BatchNormalization(name="Conv/BatchNorm")(x)
x = k.layers.Activation("relu", name="Conv/Relu")(x)
x = k.layers.GlobalAveragePooling2D(name="pool")(x)
y = k.layers.Dense(3, name="Logits/Dense")(x)
m = k.Model(inp, y, name="slashes")
m.layers[2].set_weights([np.random.rand(4).astype("float32") + 0.5 for _ in range(4)])
xin = np.random.default_rng(3).random((2, 8, 8, 3), dtype=np.float32)
np.save(os.path.join(out, "inputs_0.npy"), xin)
np.save(os.path.join(out, "outputs_0.npy"), m.predict(xin, verbose=0))
m.save(os.path.join(out, "model.h5"))
m.save_weights(os.path.join(out, "weights.h5"))
with open(os.path.join(out, "model.json"), "w") as f:
    f.write(m.to_json())
