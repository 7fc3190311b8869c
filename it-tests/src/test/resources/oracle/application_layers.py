"""The layer classes keras.applications defines for itself (ConvNeXt's LayerScale and StochasticDepth,
InceptionResNetV2's CustomScaleLayer), in a small model of each generation, imported from the application modules as
the applications use them; with Keras's predictions and the files Keras writes. Usage: python application_layers.py
OUT_DIR GEN (k3 or k2). Writes OUT_DIR/all/ (the three classes) and OUT_DIR/scale/ (CustomScaleLayer alone: tf_keras
registers only that class, so only such a model loads back from a tf.keras .h5)."""
import os
import sys

out, gen = sys.argv[1], sys.argv[2]
if gen == "k2":
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tf_keras as keras
    from tf_keras.src.applications.convnext import LayerScale, StochasticDepth
    from tf_keras.src.applications.inception_resnet_v2 import CustomScaleLayer
else:
    import keras
    from keras.src.applications.convnext import LayerScale, StochasticDepth
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer
import numpy as np

keras.utils.set_random_seed(11)
rng = np.random.default_rng(11)


def all_three():
    x = keras.Input((3, 4))
    d = keras.layers.Dense(4, name="d")(x)
    a = LayerScale(1e-6, 4, name="ls")(d)
    b = StochasticDepth(0.1, name="sd")(a)
    m = keras.Model(x, CustomScaleLayer(0.17, name="cs")([x, b]), name="application_layers")
    # gamma away from its 1e-6 start, so that a scale left out shows
    m.get_layer("ls").set_weights([rng.standard_normal(4).astype("float32")])
    return m


def scale_only():
    x = keras.Input((3, 4))
    d = keras.layers.Dense(4, name="d")(x)
    return keras.Model(x, CustomScaleLayer(0.17, name="cs")([x, d]), name="custom_scale")


for name, build in (("all", all_three), ("scale", scale_only)):
    m = build()
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    xin = rng.standard_normal((2, 3, 4)).astype("float32")
    np.save(os.path.join(d, "inputs_0.npy"), xin)
    np.save(os.path.join(d, "outputs_0.npy"), m.predict(xin, verbose=0))
    m.save(os.path.join(d, "model.h5"))
    if gen == "k3":
        m.save(os.path.join(d, "model.keras"))
    elif name == "scale":
        # tf_keras cannot trace StochasticDepth for a SavedModel (len() of a symbolic shape), so only this one
        m.save(os.path.join(d, "savedmodel"), save_format="tf")
