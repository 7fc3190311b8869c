#!/usr/bin/env bash
# Runs every test, the real-Keras oracle included, on a fresh machine:
#   1. the pinned Keras/TensorFlow virtualenv (created once, ~1.2 GB, then cached),
#   2. the full model zoo written by real Keras (generated once per generator version, then cached),
#      and the layer-class conformance set (every layer class of both Keras generations; cached the same way),
#      and Keras 3 exports of keras.applications (one model of every family, for the graph interpreter),
#      and keras.applications of both generations in every format (the families that fit CI's budget; every family
#      with KERAS4J_APPLICATION_FAMILIES=all),
#   3. the committed fixture set checked against its manifest,
#   4. the oracle's self-test (the reverse check must accept Keras's own files and reject bad ones),
#   5. Debian's chromium, installed when absent (the CLI's plot tests open its HTML in a real headless browser),
#      and every Java test (mvn verify), with the reverse check of files keras4j writes,
#   6. the count of skipped tests and why; under CI (CI=true) any skip, or a missing ../shared, fails the run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
log() { printf '\n== %s\n' "$*" >&2; }

log "oracle virtualenv"
PY="$(oracle/venv.sh)"
echo "python: $PY" >&2

# A set of real Keras files (manifest.json when complete), generated once per key: the sha of the pins and of the
# files its generator reads, so a change to either regenerates it. Prints the set's directory; generator logs go to stderr.
cached_set() {  # NAME DIR_OVERRIDE GENERATOR KEY_FILE...
  local name="$1" override="$2" generator="$3"
  shift 3
  local dir="${override:-$HOME/.cache/keras4j/$name-$(cat "$@" | sha256sum | cut -c1-12)}"
  if [ ! -f "$dir/manifest.json" ]; then
    # Explicit returns: errexit does not reach into the command substitution that calls this.
    rm -rf "$dir.partial"
    "$PY" "$generator" --out "$dir.partial" ${GENERATOR_ARGS:-} >&2 || return 1
    rm -rf "$dir" && mv "$dir.partial" "$dir" || return 1
  fi
  echo "$dir"
}

log "model zoo (real Keras)"
# The zoo depends only on the pins and the generator's own files, not on the checkers.
ZOO="$(cached_set zoo "${KERAS4J_ZOO:-}" oracle/generate.py \
  oracle/requirements.txt oracle/generate.py oracle/gen_*.py oracle/zoo*.py oracle/serving.py)"
echo "zoo: $ZOO" >&2

log "conformance set (real Keras, every layer class)"
# Keyed like the zoo: the pins and the files the generator imports (~3-4 min on 2 cores when not cached).
CONFORMANCE="$(cached_set conformance "${KERAS4J_CONFORMANCE:-}" oracle/conformance.py \
  oracle/requirements.txt oracle/conformance.py oracle/conformance_worker.py oracle/gen_common.py oracle/set_workers.py \
  oracle/generate.py oracle/zoo*.py oracle/serving.py)"
echo "conformance: $CONFORMANCE" >&2

log "keras.applications exports (real Keras 3, one model of every family)"
# The graph interpreter's applications (oracle/applications.py; ~5 min on 2 cores when not cached, ~1 GB).
APPLICATIONS="$(cached_set applications "${KERAS4J_APPLICATIONS:-}" oracle/applications.py \
  oracle/requirements.txt oracle/applications.py oracle/generate.py)"
echo "applications: $APPLICATIONS" >&2

log "keras.applications in every format (real Keras 3 and tf_keras)"
# The applications conformance set (oracle/application_formats.py): by default the families whose smallest member has
# at most 4.2M parameters (~5 min on 2 cores when not cached); KERAS4J_APPLICATION_FAMILIES=all for every family.
APP_FAMILIES="${KERAS4J_APPLICATION_FAMILIES:-small}"
APPLICATION_FORMATS="$(GENERATOR_ARGS="--families $APP_FAMILIES" cached_set "application-formats-$APP_FAMILIES" \
  "${KERAS4J_APPLICATION_FORMATS:-}" oracle/application_formats.py \
  oracle/requirements.txt oracle/application_formats.py oracle/application_params.json oracle/gen_common.py oracle/set_workers.py \
  oracle/generate.py oracle/serving.py)"
echo "application formats: $APPLICATION_FORMATS" >&2

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

log "headless browser (plot's HTML page is checked in Chromium)"
if [ ! -x /usr/bin/chromium ]; then
  # Quietly, and only when missing: about a minute once. Without it CliPlotTest fails under CI and skips elsewhere.
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo -n"
  echo "installing Debian's chromium (/usr/bin/chromium is absent)" >&2
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium; } >&2; then
    echo "test.sh: could not install chromium (apt-get as root or password-less sudo is needed)" >&2
  fi
fi
[ -x /usr/bin/chromium ] && echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)" >&2

log "Java tests (mvn verify)"
mvn -B verify -Dkeras4j.python="$PY" -Dkeras4j.zoo="$ZOO" -Dkeras4j.conformance="$CONFORMANCE" \
  -Dkeras4j.applications="$APPLICATIONS" -Dkeras4j.applicationFormats="$APPLICATION_FORMATS" \
  -Dkeras4j.oracle.required=true \
  -Dkeras4j.shared.required="$shared_required" "$@"

log "skipped tests"
if [ "${CI:-}" = "true" ]; then python3 oracle/skips.py --strict "$here"; else python3 oracle/skips.py "$here"; fi
