#!/usr/bin/env bash
# Runs every test, the real-Keras oracle included, on a fresh machine:
#   1. the pinned Keras/TensorFlow virtualenv (created once, ~1.2 GB, then cached),
#   2. the full model zoo written by real Keras (generated once per generator version, then cached),
#      and the layer-class conformance set (every layer class of both Keras generations; cached the same way),
#   3. the committed fixture set checked against its manifest,
#   4. the oracle's self-test (the reverse check must accept Keras's own files and reject bad ones),
#   5. every Java test (mvn verify), with the reverse check of files keras4j writes,
#   6. the count of skipped tests and why; under CI (CI=true) any skip, or a missing ../shared, fails the run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
log() { printf '\n== %s\n' "$*" >&2; }

log "oracle virtualenv"
PY="$(oracle/venv.sh)"
echo "python: $PY" >&2

log "model zoo (real Keras)"
# The zoo depends only on the pins and the generator's own files, not on the checkers.
zoo_key="$(cat oracle/requirements.txt oracle/generate.py oracle/gen_*.py oracle/zoo*.py oracle/serving.py | sha256sum | cut -c1-12)"
ZOO="${KERAS4J_ZOO:-$HOME/.cache/keras4j/zoo-$zoo_key}"
if [ ! -f "$ZOO/manifest.json" ]; then
  rm -rf "$ZOO.partial"
  "$PY" oracle/generate.py --out "$ZOO.partial"
  rm -rf "$ZOO" && mv "$ZOO.partial" "$ZOO"
fi
echo "zoo: $ZOO" >&2

log "conformance set (real Keras, every layer class)"
# Keyed like the zoo: the pins and the files the generator imports (~3-4 min on 2 cores when not cached).
conf_key="$(cat oracle/requirements.txt oracle/conformance.py oracle/conformance_worker.py oracle/gen_common.py \
  oracle/generate.py oracle/zoo*.py oracle/serving.py | sha256sum | cut -c1-12)"
CONFORMANCE="${KERAS4J_CONFORMANCE:-$HOME/.cache/keras4j/conformance-$conf_key}"
if [ ! -f "$CONFORMANCE/manifest.json" ]; then
  rm -rf "$CONFORMANCE.partial"
  "$PY" oracle/conformance.py --out "$CONFORMANCE.partial"
  rm -rf "$CONFORMANCE" && mv "$CONFORMANCE.partial" "$CONFORMANCE"
fi
echo "conformance: $CONFORMANCE" >&2

log "committed fixtures against their manifest"
python3 oracle/check_manifest.py fixtures/zoo

log "oracle self-test"
oracle/selftest.sh "$ZOO"

log "shared public fixtures"
shared_required=false
if [ -d "$here/../shared/fixtures/public" ]; then
  echo "shared: $(cd "$here/../shared" && pwd)" >&2
elif [ "${CI:-}" = "true" ]; then
  echo "test.sh: ../shared/fixtures/public is absent, but CI always lays it out: failing rather than skipping its tests" >&2
  exit 1
else
  echo "SKIPPED: ../shared/fixtures/public is absent (a fresh clone): the tests over older writers' files skip" >&2
fi
[ "${CI:-}" = "true" ] && shared_required=true

log "Java tests (mvn verify)"
mvn -B verify -Dkeras4j.python="$PY" -Dkeras4j.zoo="$ZOO" -Dkeras4j.conformance="$CONFORMANCE" -Dkeras4j.oracle.required=true \
  -Dkeras4j.shared.required="$shared_required" "$@"

log "skipped tests"
if [ "${CI:-}" = "true" ]; then python3 oracle/skips.py --strict "$here"; else python3 oracle/skips.py "$here"; fi
