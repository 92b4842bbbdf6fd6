#!/bin/sh
# Start ReturnLedger's web desk. The first run makes a virtual environment in clients/web/.venv
# and installs requirements.txt into it (PyPI, or a local mirror via pip's usual settings).
#
#   clients/web/run.sh                                   # http://127.0.0.1:8480, server 127.0.0.1:7480
#   clients/web/run.sh --port 8480 --server 127.0.0.1:7480 --idle-minutes 15
#   clients/web/run.sh --host 0.0.0.0 --tls-cert desk.pem --tls-key desk.key   # HTTPS for the shop's LAN
#   clients/web/run.sh --server 10.0.0.5:7481 --server-ca shop.pem             # TLS to the server
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
VENV="$HERE/.venv"
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import starlette, uvicorn, jinja2, multipart' 2>/dev/null; then
    echo "run.sh: setting up $VENV (first run)" >&2
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
fi
cd "$HERE"
exec "$VENV/bin/python" -m desk "$@"
