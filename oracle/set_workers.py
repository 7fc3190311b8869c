"""What the two conformance generators (the layer set, conformance.py, and the applications set,
application_formats.py) share: one worker process per Keras generation, and the loaders that read a JSON
architecture or a Keras 3 export back."""
import json
import os
import subprocess
import sys


def run_generation_workers(generations, command, env, tmp, what):
    """Runs command(gen, manifest_path) for every generation at once (tf_keras's with TF_USE_LEGACY_KERAS=1, since
    one process cannot import both Keras generations), stops when one fails, and returns each one's manifest."""
    procs = {}
    for gen in generations:
        worker_env = dict(env, TF_USE_LEGACY_KERAS="1") if gen == "k2" else env
        procs[gen] = subprocess.Popen(command(gen, os.path.join(tmp, f"{gen}.json")), env=worker_env,
                                      stdin=subprocess.DEVNULL)
    failed = [gen for gen, proc in procs.items() if proc.wait() != 0]
    if failed:
        sys.exit(f"{what} worker(s) failed: {failed}")
    parts = {}
    for gen in generations:
        with open(os.path.join(tmp, f"{gen}.json")) as f:
            parts[gen] = json.load(f)
    return parts


def json_and_export_loaders(k, tf, predict):
    """load_json (the architecture from model_from_json, with the case model's weights) and load_export (a
    SavedModel's serving signature), each giving the outputs on ctx["inputs"]."""
    def load_json(ctx, path):
        with open(path) as f:
            model = k.models.model_from_json(f.read())
        model.set_weights(ctx["model"].get_weights())
        return predict(model, ctx["inputs"])

    def load_export(ctx, path):
        from serving import call_serving
        return call_serving(tf.saved_model.load(path), ctx["inputs"])

    return load_json, load_export
