"""Calling the `serving_default` signature of a SavedModel with positional inputs, in TF2
(`call_serving`, on what `tf.saved_model.load` returns) or in a TF1 session (`run_serving_v1`,
on the MetaGraphDef `tf.compat.v1.saved_model.loader.load` returns).

Signatures take and return dicts. The mapping rule (also used by reverse_check.py):
inputs go to the signature's input keys in natural sort order ("in_a" < "in_b",
"input_2" < "input_10") unless explicit `input_keys` are given; outputs are returned
in natural sort order of their keys ("output_0", "output_1", ...) unless explicit
`output_keys` are given.
"""

import re

import numpy as np


def natural_key(text):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def call_serving(loaded, inputs, input_keys=None, output_keys=None):
    """Runs `loaded.signatures["serving_default"]`; returns a list of float32 arrays."""
    fn = loaded.signatures["serving_default"]
    spec = fn.structured_input_signature[1]
    keys = input_keys or sorted(spec, key=natural_key)
    if len(keys) != len(inputs):
        raise ValueError(f"signature takes {len(keys)} inputs {keys}, case gives {len(inputs)}")
    feed = {key: np.asarray(x, dtype=spec[key].dtype.as_numpy_dtype) for key, x in zip(keys, inputs)}
    result = fn(**feed)
    return [np.asarray(result[key], dtype="float32")
            for key in (output_keys or sorted(result, key=natural_key))]


def run_serving_v1(sess, meta_graph, inputs, input_keys=None, output_keys=None):
    """Runs the `serving_default` SignatureDef's output tensors in `sess`, feeding its input
    tensors; returns a list of float32 arrays."""
    import tensorflow as tf

    signature = meta_graph.signature_def["serving_default"]
    keys = input_keys or sorted(signature.inputs, key=natural_key)
    if len(keys) != len(inputs):
        raise ValueError(f"signature takes {len(keys)} inputs {keys}, case gives {len(inputs)}")
    feed = {signature.inputs[key].name:
            np.asarray(x, dtype=tf.dtypes.as_dtype(signature.inputs[key].dtype).as_numpy_dtype)
            for key, x in zip(keys, inputs)}
    names = [signature.outputs[key].name
             for key in (output_keys or sorted(signature.outputs, key=natural_key))]
    return [np.asarray(value, dtype="float32") for value in sess.run(names, feed_dict=feed)]
