"""Writes the runtime's layer test cases with real Keras: one small model per case.

Usage: python make_layer_cases.py OUT_DIR [case ...]
Each case directory holds model.json (to_json), shapes.json (each layer's output shapes), weights.npz ("<layer>/<i>" = i-th weight of that layer in
Keras order), inputs_<i>.npy and outputs_<i>.npy (Keras's predictions). Run with the oracle venv python
(`oracle/venv.sh`); `k3` cases use Keras 3, `k2` cases tf_keras. Deterministic given SEED.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

import numpy as np

# The zoo's rule for constant-initialised weights (distinct values, so that a reader mixing them up cannot match).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, os.pardir, os.pardir, "oracle"))
from zoo import _perturb_constant_weights as perturb  # noqa: E402

SEED = 7


def builders(k):
    """The layers module, Input, and seq(name, shape, *layers): a Sequential model of the layers on an Input."""
    def seq(name, shape, *layers):
        return k.Sequential([k.Input(shape=shape), *layers], name=name)

    return k.layers, k.Input, seq


def cases(k):
    L, I, seq = builders(k)

    def fn(name, inputs, outputs):
        return k.Model(inputs, outputs, name=name)

    acts = ["relu", "sigmoid", "tanh", "softmax", "linear", "elu", "selu", "softplus", "softsign",
            "exponential", "hard_sigmoid", "swish", "gelu", "relu6", "mish", "log_softmax",
            "hard_silu", "leaky_relu", "silu", "celu", "hard_tanh", "log_sigmoid", "tanh_shrink",
            "soft_shrink", "hard_shrink", "squareplus", "sparse_plus", "hard_swish", "sparse_sigmoid", "sparsemax",
            "glu"]
    if k.__name__ == "tf_keras":
        acts = ["relu", "sigmoid", "tanh", "softmax", "linear", "elu", "selu", "softplus", "softsign",
                "exponential", "hard_sigmoid", "swish", "gelu", "relu6", "mish"]

    out = {}
    x = I(shape=(6,), name="x")  # even: glu halves the last axis
    out["activations"] = fn("activations", x, [L.Activation(a, name="act_" + a)(x) for a in acts])
    out["dense_relu"] = seq("dense_relu", (4,),
                            L.Dense(6, activation="relu"), L.Dropout(0.5), L.GaussianNoise(1.0),
                            L.Dense(3, use_bias=False), L.ReLU(max_value=0.5, negative_slope=0.1, threshold=0.2))
    out["dense_3d"] = seq("dense_3d", (3, 4), L.Dense(5, activation="tanh"), L.Flatten(), L.Reshape((3, 5)),
                          L.Reshape((-1,)), L.Rescaling(0.5, offset=-1.0))
    def conv_stacks(fmt):
        tag = "cl" if fmt == "channels_last" else "cf"
        cl = tag == "cl"
        return {
            "conv2d": seq("conv2d_" + tag, (9, 8, 4) if cl else (4, 9, 8),
                          L.Conv2D(6, 3, strides=2, padding="same", data_format=fmt),
                          L.Conv2D(4, (3, 2), dilation_rate=(2, 1), padding="valid", groups=2,
                                   data_format=fmt, activation="relu"),
                          L.ZeroPadding2D(((1, 0), (2, 1)), data_format=fmt),
                          L.DepthwiseConv2D(3, depth_multiplier=2, padding="same", data_format=fmt),
                          L.BatchNormalization(axis=-1 if cl else 1),
                          L.MaxPooling2D(2, padding="same", data_format=fmt),
                          L.AveragePooling2D(2, strides=1, padding="same", data_format=fmt),
                          L.GlobalMaxPooling2D(data_format=fmt)),
            "pool2d": seq("pool2d_" + tag, (7, 6, 3) if cl else (3, 7, 6),
                          L.AveragePooling2D(3, strides=2, padding="valid", data_format=fmt),
                          L.MaxPooling2D((2, 1), data_format=fmt),
                          L.GlobalAveragePooling2D(data_format=fmt, keepdims=True),
                          L.Flatten(data_format=fmt)),
            "conv1d": seq("conv1d_" + tag, (11, 3) if cl else (3, 11),
                          L.Conv1D(4, 3, strides=2, padding="same", data_format=fmt),
                          L.Conv1D(4, 2, dilation_rate=2, padding="causal" if cl else "valid", data_format=fmt),
                          L.MaxPooling1D(2, padding="same", data_format=fmt),
                          L.AveragePooling1D(2, strides=1, data_format=fmt),
                          L.GlobalAveragePooling1D(data_format=fmt)),
        }

    for name, model in conv_stacks("channels_last").items():
        out[name + "_cl"] = model
    # TensorFlow's CPU kernels reject NCHW, so channels_first models are predicted by a channels_last twin with
    # the same weights on transposed inputs (these stacks end in global pooling: same output layout).
    twins = conv_stacks("channels_last")
    for name, model in conv_stacks("channels_first").items():
        if name == "conv1d":
            continue  # causal padding exists only channels_last; the cf stack differs from its twin
        out[name + "_cf"] = (model, twins[name])
    out["norms"] = seq("norms", (3, 6), L.LayerNormalization(), L.LayerNormalization(axis=[1, 2], center=False),
                       L.BatchNormalization(scale=False, epsilon=0.1), L.GlobalMaxPooling1D())
    t = I(shape=(6,), dtype="int32", name="tokens")
    e = L.Embedding(20, 5, mask_zero=True, name="emb")(t)
    r1 = L.SimpleRNN(4, return_sequences=True, name="srnn")(e)
    r2 = L.LSTM(3, go_backwards=True, name="lstm_back")(r1)
    r3 = L.GRU(3, reset_after=False, return_sequences=True, name="gru_v1")(e)
    r4 = L.Bidirectional(L.LSTM(2, return_sequences=True), merge_mode="sum", name="bi_seq")(r3)
    r5 = L.GlobalAveragePooling1D(name="masked_mean")(r4)
    r6 = L.Bidirectional(L.GRU(2), name="bi_gru")(e)
    out["rnn_masked"] = fn("rnn_masked", t, [r2, r5, r6])
    s = I(shape=(5, 3), name="seq")
    m = L.Masking(mask_value=0.0)(s)
    out["masking"] = fn("masking", s, [L.LSTM(3, return_sequences=True, name="lstm_seq")(m),
                                      L.GRU(2, name="gru")(m), L.SimpleRNN(2, activation="relu", name="srnn")(s)])
    a, b, c = I(shape=(2, 3), name="a"), I(shape=(2, 3), name="b"), I(shape=(2, 1), name="c")
    shared = L.Dense(3, name="shared")
    ha, hb = shared(a), shared(b)
    out["merges"] = fn("merges", [a, b, c], [
        L.Add()([ha, hb, a]), L.Subtract()([ha, b]), L.Multiply()([ha, hb]), L.Average()([a, hb]),
        L.Maximum()([a, b]), L.Minimum()([a, ha]), L.Concatenate(axis=1)([a, b]),
        L.Concatenate()([a, c])])
    q, v = I(shape=(4, 6), name="q"), I(shape=(5, 6), name="v")
    mha = L.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=3, name="mha")
    out["mha"] = fn("mha", [q, v], [mha(q, v), L.MultiHeadAttention(2, 4, use_bias=False, output_shape=5,
                                                                      name="mha2")(q, v, v)])
    inner = k.Sequential([I(shape=(4,)), L.Dense(3, activation="relu"), L.Dense(2)], name="inner_seq")
    u = I(shape=(4,), name="u")
    w = I(shape=(4,), name="w")
    out["nested_shared"] = fn("nested_shared", [u, w], [L.Add()([inner(u), inner(w)]), inner(w)])
    adapted = L.Normalization()
    adapted.adapt(np.random.default_rng(SEED).normal(2.0, 3.0, size=(64, 5)).astype("float32"))
    out["normalization"] = seq("normalization", (5,), adapted, L.Normalization(mean=[1.0, 0, -1, 2, 0.5], variance=[4.0, 1, 0.25, 9, 1]),
                               L.Normalization(invert=True, mean=0.5, variance=2.0), L.Dense(2))
    out["timedistributed"] = seq("timedistributed", (3, 5, 5, 2),
                                 L.TimeDistributed(L.Conv2D(2, 3)), L.TimeDistributed(L.Flatten()),
                                 L.TimeDistributed(L.Dense(3)), L.LSTM(2))
    if k.__name__ == "keras":
        out.update(keras3_only_cases(k))
    else:
        out.update(tf_keras_only_cases(k))
    out.update(generation_and_layer_cases(k))
    out.update(inference_layer_cases(k))  # last: earlier cases keep their weights and inputs
    return out


def inference_layer_cases(k):
    """Preprocessing layers at inference, RNN cells, and the Keras 3 layers of issue #12, on batched inputs."""
    L, I, seq = builders(k)
    keras3 = k.__name__ == "keras"
    out = {}
    for fmt in ("channels_last", "channels_first") if keras3 else ("channels_last",):
        tag = "cl" if fmt == "channels_last" else "cf"
        img = I(shape=(5, 7, 3) if tag == "cl" else (3, 5, 7), name="img")
        fmt_arg = {"data_format": fmt} if keras3 else {}
        outputs = [L.Resizing(4, 6, name="shrink", **fmt_arg)(img),
                   L.Resizing(8, 9, crop_to_aspect_ratio=True, name="crop_resize", **fmt_arg)(img),
                   L.CenterCrop(3, 4, name="crop", **fmt_arg)(img),
                   L.CenterCrop(6, 9, name="upsize", **fmt_arg)(img),
                   L.RandomFlip(name="flip", **fmt_arg)(img),
                   L.RandomRotation(0.3, name="rotation", **fmt_arg)(img),
                   L.RandomZoom(0.4, name="zoom", **fmt_arg)(img)]
        if keras3:
            outputs.append(L.AutoContrast(value_range=(-1, 1), name="auto_contrast", **fmt_arg)(img))
        else:
            outputs.append(L.RandomCrop(3, 4, name="random_crop")(img))  # tf.keras: smart_resize at inference
        out["image_preprocessing_" + tag] = k.Model(img, outputs, name="image_preprocessing_" + tag)
    s = I(shape=(5, 3), name="seq")
    m = L.Masking(mask_value=0.0)(s)
    out["rnn_cells"] = k.Model(s, [
        L.RNN(L.GRUCell(3), return_sequences=True, go_backwards=True, name="gru_cell_back")(m),
        L.Concatenate(name="output_and_states")(L.RNN(L.LSTMCell(2), return_state=True, name="lstm_cell_state")(m)),
        L.RNN(L.StackedRNNCells([L.SimpleRNNCell(2), L.GRUCell(3)]), return_sequences=True, name="stacked")(m),
        L.RNN(L.SimpleRNNCell(2), unroll=True, name="simple_unrolled")(s),
        L.RNN(L.SimpleRNNCell(2), return_sequences=True, zero_output_for_mask=True, name="zeroed")(m),
        L.RNN(L.StackedRNNCells([L.GRUCell(2), L.SimpleRNNCell(2)]), zero_output_for_mask=True,
              name="stacked_zeroed")(m)], name="rnn_cells")
    if keras3:
        q, v = I(shape=(4, 6), name="q"), I(shape=(5, 6), name="v")
        gqa = L.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2, name="gqa")
        window = L.GroupQueryAttention(head_dim=3, num_query_heads=2, num_key_value_heads=1, sliding_window=2,
                                       use_bias=False, name="gqa_window")
        out["grouped_query_attention"] = k.Model([q, v], [gqa(q, v), gqa(q, q, use_causal_mask=True), window(q, q)],
                                                 name="grouped_query_attention")
        t = I(shape=(6,), dtype="int32", name="tokens")
        tied = L.ReversibleEmbedding(20, 4, mask_zero=True, name="tied")
        untied = L.ReversibleEmbedding(20, 4, tie_weights=False, logit_soft_cap=2.0, name="untied")
        out["reversible_embedding"] = k.Model(t, [tied(tied(t), reverse=True), untied(untied(t), reverse=True)],
                                              name="reversible_embedding")
        out["rms_normalization"] = seq("rms_normalization", (3, 6), L.RMSNormalization(),
                                       L.RMSNormalization(axis=[-2, -1], epsilon=0.1))
    else:
        steps = I(shape=(7, 3), name="steps")
        grid = I(shape=(6, 5, 3), name="grid")
        out["locally_connected"] = k.Model([steps, grid], [
            L.LocallyConnected1D(3, 2, strides=2, activation="relu", name="lc1d")(steps),
            L.LocallyConnected1D(2, 3, data_format="channels_first", name="lc1d_cf")(steps),
            L.LocallyConnected2D(2, (2, 3), strides=(2, 1), name="lc2d")(grid),
            L.LocallyConnected2D(3, 2, data_format="channels_first", use_bias=False, name="lc2d_cf")(grid)],
            name="locally_connected")
    return out


def generation_and_layer_cases(k):
    """Where the Keras generations differ (which calls see a mask, how merges combine masks), then more layers."""
    L, I, seq = builders(k)

    out = {}
    t, s = I(shape=(6,), dtype="int32", name="tokens"), I(shape=(3,), name="state_source")
    e = L.Embedding(20, 5, mask_zero=True, name="emb")(t)
    h, c = L.Dense(3, name="h0")(s), L.Dense(3, name="c0")(s)
    # Keras 3 fills `mask` only for a call with one tensor argument: with initial states these RNNs ignore the padding.
    lstm = L.LSTM(3, return_sequences=True, name="lstm_init")(e, initial_state=[h, c])
    out["rnn_initial_state"] = k.Model([t, s], [
        lstm, L.LSTM(2, name="after_lstm_init")(lstm), L.GRU(3, name="gru_init")(e, initial_state=[h]),
        L.SimpleRNN(3, go_backwards=True, name="srnn_init")(e, initial_state=[h])], name="rnn_initial_state")
    t2, x = I(shape=(6,), dtype="int32", name="tokens2"), I(shape=(6, 5), name="x")
    f = L.Embedding(20, 5, mask_zero=True, name="emb2")(t2)
    both, mixed = L.Add(name="add_masked")([e, f]), L.Multiply(name="multiply_mixed")([e, x])
    concat_mixed = L.Concatenate(name="concat_mixed")([e, x])
    concat_steps = L.Concatenate(axis=1, name="concat_steps")([e, f])
    # Keras 3 records masks for RNNs as tensors computed by operation nodes; Attention reads them from its inputs.
    # Keras 3's Multiply, Maximum and Minimum also leave masked entries out of the result.
    out["merge_masks"] = k.Model([t, t2, x], [
        L.LSTM(2, name="after_add")(both), L.Attention(name="attention_after_add")([both, x]),
        L.LSTM(2, name="after_multiply")(mixed), L.Attention(name="attention_after_multiply")([mixed, x]),
        L.LSTM(2, name="after_concat")(concat_mixed), L.LSTM(2, name="after_concat_steps")(concat_steps),
        L.Multiply(name="multiply_masked")([e, f]), L.Maximum(name="maximum_masked")([e, f]),
        L.Minimum(name="minimum_mixed")([x, e])], name="merge_masks")
    attended = L.Attention(name="masked_query")([e, x])
    out["attention_masks"] = k.Model([t, x], [attended, L.LSTM(2, name="after_attention")(attended)],
                                     name="attention_masks")
    img = I(shape=(5, 4, 3), name="image")
    out["upsampling_bilinear"] = k.Model(img, [
        L.UpSampling2D((2, 3), interpolation="bilinear", name="bilinear")(img),
        L.UpSampling2D(3, interpolation="bilinear", data_format="channels_first", name="bilinear_cf")(img)],
        name="upsampling_bilinear")
    out["conv3d_transpose"] = seq("conv3d_transpose", (3, 4, 3, 2),
                                  L.Conv3DTranspose(3, (3, 2, 2), strides=(2, 1, 2), padding="same"),
                                  L.Conv3DTranspose(2, 2, strides=(1, 3, 1), activation="relu"))  # stride > kernel
    if k.__name__ == "keras":
        # Keras 3 scales by the variance (not the mean square) and keeps gamma only, whatever center says.
        out["layer_norm_rms"] = seq("layer_norm_rms", (3, 6), L.Rescaling(1.0, offset=2.0),
                                    L.LayerNormalization(rms_scaling=True),
                                    L.LayerNormalization(axis=[1, 2], rms_scaling=True, scale=False, epsilon=0.1))
    return out


def tf_keras_only_cases(k):
    """tf.keras records TensorFlow calls on symbolic tensors as TFOpLambda layers."""
    import tensorflow as tf
    x, y = k.Input(shape=(3, 4), name="x"), k.Input(shape=(3, 4), name="y")
    a = x * 2.0 + 1.0
    b = tf.nn.relu(a - y)
    return {"tf_op_lambda": k.Model([x, y], [a, b, tf.reduce_mean(b, axis=-1, keepdims=True),
                                             tf.math.maximum(x, y) / 3.0, tf.math.reduce_max(tf.math.square(y), axis=1),
                                             tf.nn.softmax(tf.math.sigmoid(x))], name="tf_op_lambda")}


def keras3_only_cases(k):
    """Layers of the runtime's second priority group, and operation nodes of Keras 3 functional graphs."""
    L, I, seq = builders(k)

    out = {}
    out["sequence_shapes"] = seq("sequence_shapes", (4, 6), L.Permute((2, 1)), L.Flatten(), L.Dense(5),
                                 L.RepeatVector(3), L.Cropping1D((1, 0)), L.UpSampling1D(2),
                                 L.ZeroPadding1D((1, 2)), L.UnitNormalization(), L.LeakyReLU(negative_slope=0.2),
                                 L.ELU(alpha=0.7), L.Softmax())
    out["separable2d"] = seq("separable2d", (10, 9, 4),
                             L.SeparableConv2D(6, 3, depth_multiplier=2, padding="same", activation="relu"),
                             L.Conv2DTranspose(3, 3, strides=2, padding="same"),
                             L.Cropping2D(((1, 2), (0, 1))), L.UpSampling2D((2, 1)),
                             L.GroupNormalization(groups=3), L.PReLU(), L.GlobalAveragePooling2D())
    out["separable1d"] = seq("separable1d", (12, 4), L.SeparableConv1D(5, 3, strides=2),
                             L.Conv1DTranspose(3, 3, strides=2, padding="valid"),
                             L.DepthwiseConv1D(3, depth_multiplier=2), L.Flatten())
    q, v = I(shape=(4, 6), name="q"), I(shape=(5, 6), name="v")
    out["attention_layers"] = k.Model([q, v], [
        L.Attention(name="dot_attention")([q, v]), L.AdditiveAttention(name="additive")([q, v]),
        L.Dot(axes=(2, 2), name="dot")([q, v]),
        L.EinsumDense("abc,cd->abd", output_shape=(None, 7), bias_axes="d", name="einsum")(q)], name="attention_layers")
    out["volumes"] = seq("volumes", (6, 8, 6, 3), L.Conv3D(4, (3, 2, 2), strides=(1, 2, 1), padding="same"),
                         L.ZeroPadding3D(((1, 0), (0, 1), (1, 1))), L.MaxPooling3D(2, padding="same"),
                         L.Conv3D(3, 2, dilation_rate=(1, 1, 1), activation="relu"), L.UpSampling3D((1, 2, 2)),
                         L.Cropping3D(((0, 1), (1, 0), (0, 1))), L.AveragePooling3D((1, 2, 1)),
                         L.GlobalAveragePooling3D())
    out["conv_lstm"] = seq("conv_lstm", (3, 7, 6, 2), L.ConvLSTM2D(3, (3, 2), strides=(2, 1), padding="same",
                                                                  return_sequences=True),
                           L.ConvLSTM2D(2, 2, go_backwards=True), L.Flatten())
    out["conv_lstm1d"] = seq("conv_lstm1d", (4, 9, 2), L.ConvLSTM1D(3, 3, dilation_rate=2, return_sequences=True),
                             L.ConvLSTM1D(2, 2, strides=2, activation="relu"))
    x, y = I(shape=(3, 4), name="x"), I(shape=(3, 4), name="y")
    out["operations"] = k.Model([x, y], [x * 2.0 + y, k.ops.maximum(x, y) - 1.0, (x > y) * x / 3.0],
                                name="operations")
    return out


def reference_input(tensor, rng, index):
    shape = (2, *tensor.shape[1:])
    if "int" in str(tensor.dtype):
        ids = rng.integers(1, 20, size=shape).astype("int32")
        # Token inputs after the first are padded differently, so that combining their masks matters.
        ids[0, 4 - index:] = 0
        ids[1, 1 + index:] = 0
        return ids
    x = rng.standard_normal(shape).astype("float32")
    if len(shape) == 3 and shape[1] == 5 and shape[2] == 3:
        x[0, 3:] = 0.0
        x[1, 1] = 0.0
    return x


def output_shapes(model):
    """Keras's output shape of each layer called once (shared layers have no single output), None for unknown."""
    shapes = {}
    for layer in model.layers:
        if len(getattr(layer, "_inbound_nodes", [])) > 1:
            continue  # Keras 3 answers with one call's output (tf.keras raises); which one is not the runtime's
        try:
            out = layer.output
        except (AttributeError, ValueError, RuntimeError):
            continue
        outs = out if isinstance(out, (list, tuple)) else [out]
        shapes[layer.name] = [[None if d is None else int(d) for d in t.shape] for t in outs]
    return shapes


def weights_of(model):
    stored = {}
    for layer in model.layers:
        for i, w in enumerate(layer.weights):
            stored[f"{layer.name}/{i}"] = np.asarray(w.numpy())
    return stored


def write(name, model, out_dir, rng):
    model, twin = model if isinstance(model, tuple) else (model, None)
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    perturb(model, rng)
    with open(os.path.join(d, "model.json"), "w") as f:
        f.write(model.to_json())
    with open(os.path.join(d, "shapes.json"), "w") as f:
        json.dump(output_shapes(model), f, indent=1)
    np.savez(os.path.join(d, "weights.npz"), **weights_of(model))
    inputs = [reference_input(t, rng, i) for i, t in enumerate(model.inputs)]
    if twin is None:
        outputs = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    else:
        twin.set_weights(model.get_weights())
        outputs = twin.predict(np.moveaxis(inputs[0], 1, -1), verbose=0)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    for i, x in enumerate(inputs):
        np.save(os.path.join(d, f"inputs_{i}.npy"), x)
    for i, y in enumerate(outputs):
        np.save(os.path.join(d, f"outputs_{i}.npy"), np.asarray(y, dtype="float32"))


def main():
    out_dir, wanted = sys.argv[1], set(sys.argv[2:])
    import keras
    import tf_keras
    for gen, k in (("k3", keras), ("k2", tf_keras)):
        k.utils.set_random_seed(SEED)
        rng = np.random.default_rng(SEED)
        for name, model in cases(k).items():
            if wanted and name not in wanted:
                continue
            try:
                write(f"{gen}/{name}", model, out_dir, rng)
                print(gen, name, "ok", flush=True)
            except Exception as e:  # report every failing case in one run
                print(gen, name, "FAILED", str(e).splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
