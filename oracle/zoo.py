"""The model zoo: small models built with the same code for Keras 3 and Keras 2.

`k` is the keras module in use (`keras` or `tf_keras`); both share the layer API used
here. Every builder is deterministic given the seed set by `build`.
"""

import numpy as np

import zoo_custom

SEED = 1234

# Models in the order they are generated. `mobilenetv2` is the only large one.
MODELS = [
    "mlp", "cnn", "mobilenetv2", "resnet", "rnn", "conv1d", "timedistributed",
    "attention", "multi_io", "nested", "trained", "custom", "lambda",
]
# Left out of the committed fixture set (size).
LARGE_MODELS = {"mobilenetv2"}


def build(name, k, train=True):
    """Builds zoo model `name` with keras module `k`, with non-trivial weights.
    `train=False` skips the fit of the `trained` model (a fresh model to load into)."""
    k.utils.set_random_seed(SEED)
    model = _BUILDERS[name](k)
    _perturb_constant_weights(model, np.random.default_rng(SEED))
    if name == "trained" and train:
        _train(model, k)
    return model


def reference_inputs(name):
    """Deterministic inputs (a list, one array per model input), identical for k2 and k3."""
    rng = np.random.default_rng(SEED + 1)
    batch = 3

    def floats(*shape):
        return rng.standard_normal((batch, *shape)).astype("float32")

    if name == "rnn":
        # Token ids with trailing zero padding of different lengths: exercises masking.
        ids = rng.integers(1, 50, size=(batch, 7)).astype("int32")
        for row, length in enumerate([7, 4, 2]):
            ids[row, length:] = 0
        return [ids]
    shapes = {
        "mlp": [(4,)], "cnn": [(16, 16, 3)], "mobilenetv2": [(96, 96, 3)],
        "resnet": [(16, 16, 3)], "conv1d": [(20, 3)], "timedistributed": [(4, 8, 8, 1)],
        "attention": [(6, 8)], "multi_io": [(4,), (4,)], "nested": [(6,)],
        "trained": [(6,)], "custom": [(5,)], "lambda": [(4,)],
    }
    return [floats(*s) for s in shapes[name]]


def _perturb_constant_weights(model, rng):
    """Replaces constant-initialised weights (zero biases, unit gammas, BN statistics)
    with distinct values, so that a reader mixing them up cannot still match."""
    for w in model.weights:
        value = np.asarray(w.numpy())
        if value.size > 1 and np.all(value == value.flat[0]):
            noise = rng.uniform(0.5, 1.5, size=value.shape) if "variance" in w.name \
                else value + rng.uniform(-0.3, 0.3, size=value.shape)
            w.assign(noise.astype(value.dtype))


def _train(model, k):
    """Two Adam steps on fixed data so that optimizer state exists."""
    rng = np.random.default_rng(SEED + 2)
    x = rng.standard_normal((16, 6)).astype("float32")
    y = rng.integers(0, 3, size=(16,)).astype("int32")
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)


def _mlp(k):
    L = k.layers
    return k.Sequential([
        k.Input(shape=(4,)),
        L.Dense(8, activation="relu"),
        L.Dropout(0.1),
        L.Dense(3, activation="softmax"),
    ], name="mlp")


def _cnn(k):
    L = k.layers
    return k.Sequential([
        k.Input(shape=(16, 16, 3)),
        L.Conv2D(4, 3, padding="same"),
        L.BatchNormalization(),
        L.Activation("relu"),
        L.MaxPooling2D(2),
        L.Conv2D(6, 3, strides=1, padding="valid", activation="relu"),
        L.AveragePooling2D(2),
        L.Flatten(),
        L.Dense(5, activation="softmax"),
    ], name="cnn")


def _mobilenetv2(k):
    return k.applications.MobileNetV2(
        input_shape=(96, 96, 3), alpha=0.35, weights=None, classes=10)


def _resnet(k):
    L = k.layers
    inp = k.Input(shape=(16, 16, 3), name="image")
    x = L.Conv2D(8, 3, padding="same", name="stem")(inp)
    x = L.BatchNormalization(name="stem_bn")(x)
    x = L.Activation("relu")(x)
    y = L.Conv2D(8, 3, padding="same", activation="relu", name="block_conv1")(x)
    y = L.BatchNormalization(name="block_bn")(y)
    y = L.Conv2D(8, 3, padding="same", name="block_conv2")(y)
    x = L.Activation("relu")(L.Add(name="skip_add")([x, y]))
    side = L.Conv2D(4, 1, name="side_conv")(x)
    x = L.Concatenate(name="concat")([x, side])
    x = L.GlobalAveragePooling2D()(x)
    out = L.Dense(4, activation="softmax", name="head")(x)
    return k.Model(inp, out, name="resnet")


def _rnn(k):
    L = k.layers
    inp = k.Input(shape=(7,), dtype="int32", name="tokens")
    x = L.Embedding(50, 8, mask_zero=True)(inp)
    x = L.LSTM(6, return_sequences=True)(x)
    x = L.Bidirectional(L.GRU(4))(x)
    out = L.Dense(3)(x)
    return k.Model(inp, out, name="rnn")


def _conv1d(k):
    L = k.layers
    return k.Sequential([
        k.Input(shape=(20, 3)),
        L.Conv1D(6, 3, activation="relu"),
        L.MaxPooling1D(2),
        L.Conv1D(4, 3, padding="causal", dilation_rate=2),
        L.GlobalMaxPooling1D(),
        L.Dense(2, activation="softmax"),
    ], name="conv1d")


def _timedistributed(k):
    L = k.layers
    return k.Sequential([
        k.Input(shape=(4, 8, 8, 1)),
        L.TimeDistributed(L.Conv2D(3, 3, activation="relu")),
        L.TimeDistributed(L.GlobalAveragePooling2D()),
        L.TimeDistributed(L.Dense(4)),
        L.Flatten(),
        L.Dense(2),
    ], name="timedistributed")


def _attention(k):
    L = k.layers
    inp = k.Input(shape=(6, 8), name="sequence")
    att = L.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(inp, inp)
    x = L.LayerNormalization(name="ln1")(L.Add()([inp, att]))
    ff = L.Dense(16, activation="relu", name="ff1")(x)
    ff = L.Dense(8, name="ff2")(ff)
    x = L.LayerNormalization(name="ln2")(L.Add()([x, ff]))
    x = L.GlobalAveragePooling1D()(x)
    out = L.Dense(3, name="head")(x)
    return k.Model(inp, out, name="attention")


def _multi_io(k):
    L = k.layers
    # Input names sort in model order: the SavedModel input-mapping rule relies on it.
    a = k.Input(shape=(4,), name="in_a")
    b = k.Input(shape=(4,), name="in_b")
    shared = L.Dense(6, activation="tanh", name="shared")
    ha, hb = shared(a), shared(b)
    cls = L.Dense(3, activation="softmax", name="out_class")(L.Concatenate()([ha, hb]))
    reg = L.Dense(1, name="out_reg")(L.Subtract()([ha, hb]))
    return k.Model([a, b], [cls, reg], name="multi_io")


def _nested(k):
    L = k.layers
    inner = k.Sequential([
        k.Input(shape=(6,)),
        L.Dense(5, activation="relu"),
        L.Dense(4),
    ], name="inner")
    inp = k.Input(shape=(6,), name="features")
    out = L.Dense(2, name="head")(inner(inp))
    return k.Model(inp, out, name="nested")


def _trained(k):
    L = k.layers
    model = k.Sequential([
        k.Input(shape=(6,)),
        L.Dense(8, activation="relu"),
        L.BatchNormalization(),
        L.Dense(3, activation="softmax"),
    ], name="trained")
    model.compile(optimizer=k.optimizers.Adam(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _custom(k):
    L = k.layers
    scale = zoo_custom.custom_objects(k)["Scale"]
    return k.Sequential([
        k.Input(shape=(5,)),
        L.Dense(4),
        scale(name="scale"),
        L.Dense(2),
    ], name="custom")


def _lambda(k):
    L = k.layers
    return k.Sequential([
        k.Input(shape=(4,)),
        L.Dense(3),
        L.Lambda(lambda x: x * 2.0 + 1.0, name="affine"),
        L.Dense(2),
    ], name="lambda")


_BUILDERS = {
    "mlp": _mlp, "cnn": _cnn, "mobilenetv2": _mobilenetv2, "resnet": _resnet,
    "rnn": _rnn, "conv1d": _conv1d, "timedistributed": _timedistributed,
    "attention": _attention, "multi_io": _multi_io, "nested": _nested,
    "trained": _trained, "custom": _custom, "lambda": _lambda,
}
assert list(_BUILDERS) == MODELS
