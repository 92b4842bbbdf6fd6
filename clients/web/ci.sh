#!/bin/sh
# The web desk's tests, as .ci/run calls them, from the repository root of a clean clone after
# `swift build --build-tests` (the tests start .build/debug/returnledger, or $RETURNLEDGER_BIN):
#
#   clients/web/ci.sh
#
# Installs only what is missing: the system's chromium, CJK fonts and python3-venv with apt-get
# (apt-get update first), the desk's packages and Playwright's Python package into
# clients/web/.venv (no browser download: the tests drive the system's chromium). Then runs
# route tests against the real server and the browser tests in headless Chromium. The last line
# says how it went; the exit status is non-zero on any failure.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV="$HERE/.venv"
PY=${PYTHON:-python3}
START=$(date +%s)

say() { echo "web desk: $*"; }
finish() {
    code=$1; shift
    echo "web desk tests: $* ($(( $(date +%s) - START ))s)"
    exit "$code"
}

missing=""
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="$missing chromium"
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then missing="$missing fonts-noto-cjk"; fi
if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then missing="$missing python3-venv"; fi
if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    say "installing$missing"
    $SUDO apt-get update -qq || finish 1 "FAILED (apt-get update)"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null || finish 1 "FAILED (apt-get install$missing)"
fi

if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    "$PY" -m venv "$VENV" || finish 1 "FAILED (python3 -m venv)"
fi
if ! "$VENV/bin/python" -c 'import starlette, uvicorn, jinja2, multipart, playwright' >/dev/null 2>&1; then
    say "installing requirements-test.txt into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements-test.txt" \
        || finish 1 "FAILED (pip install)"
fi

BIN=${RETURNLEDGER_BIN:-$ROOT/.build/debug/returnledger}
[ -x "$BIN" ] || finish 1 "FAILED (no server binary at $BIN: run swift build --build-tests, or set RETURNLEDGER_BIN)"
export RETURNLEDGER_BIN="$BIN"

cd "$ROOT" || finish 1 "FAILED (cd)"
if "$VENV/bin/python" -m unittest discover -s clients/web/tests -t clients/web/tests; then
    finish 0 "passed"
else
    finish 1 "FAILED"
fi
