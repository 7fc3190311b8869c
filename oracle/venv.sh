#!/usr/bin/env bash
# Creates (once) the oracle virtualenv and prints ONLY its python's absolute path on stdout.
# Everything else goes to stderr. Idempotent: a marker file holding the requirements hash
# makes later runs return immediately.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
req="$here/requirements.txt"
hash="$(sha256sum "$req" | cut -c1-12)"
venv="${KERAS4J_VENV:-$HOME/.cache/keras4j/venv-$hash}"
marker="$venv/.keras4j-installed-$hash"
python="$venv/bin/python"

if [[ ! -f "$marker" ]]; then
  echo "oracle venv: installing into $venv (one-time, downloads TensorFlow)" >&2
  mkdir -p "$(dirname "$venv")"
  [[ -x "$python" ]] || python3 -m venv "$venv" >&2
  "$python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req" </dev/null >&2
  TF_CPP_MIN_LOG_LEVEL=2 CUDA_VISIBLE_DEVICES=-1 "$python" -c "import tensorflow, keras, tf_keras, h5py, numpy" >&2
  touch "$marker"
fi

cd "$venv" && echo "$(pwd -P)/bin/python"
