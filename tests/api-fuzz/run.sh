#!/usr/bin/env bash
# Property-based tests of the plugin REST API (Schemathesis) against the
# real server and plugin:
#   tests/api-fuzz/run.sh [server binary] [api_fuzz.py options]
# The server defaults to target/debug/host-shim (built by `cargo test`;
# built here if missing). Bounds: API_FUZZ_MAX_EXAMPLES (per operation,
# default 25) and API_FUZZ_MAX_TIME (seconds, default 180). Schemathesis
# lives in a venv under target/api-fuzz, pinned by requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
server=${1:-target/debug/host-shim}
shift || true
if [ ! -x "$server" ]; then
    cargo build -p host-shim
fi

venv=target/api-fuzz/venv
if ! cmp -s tests/api-fuzz/requirements.txt "$venv/requirements.txt" 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/api-fuzz/requirements.txt
    cp tests/api-fuzz/requirements.txt "$venv/requirements.txt"
fi

exec "$venv/bin/python" tests/api-fuzz/api_fuzz.py --server "$server" \
    --max-examples "${API_FUZZ_MAX_EXAMPLES:-25}" --max-time "${API_FUZZ_MAX_TIME:-180}" "$@"
