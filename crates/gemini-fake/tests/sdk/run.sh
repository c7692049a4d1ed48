#!/usr/bin/env bash
# Runs Google's own Python SDK (google-genai) unchanged against gemini-fake.
#
# Idempotent: the venv (default ~/.cache/banana-studio/google-genai-venv, or $SDK_VENV) is created and the
# SDK installed from PyPI only when missing or at another version ($GOOGLE_GENAI_VERSION). The fake binary
# is built with cargo unless $GEMINI_FAKE_BIN points at one. Exits non-zero if any SDK test fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
version="${GOOGLE_GENAI_VERSION:-3.6.1}"
venv="${SDK_VENV:-$HOME/.cache/banana-studio/google-genai-venv}"
key="sdk-test-key"

if ! "$venv/bin/python" -c "import google.genai, sys; sys.exit(google.genai.__version__ != '$version')" 2>/dev/null; then
    echo "sdk: installing google-genai==$version into $venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "google-genai==$version"
fi

bin="${GEMINI_FAKE_BIN:-}"
if [ -z "$bin" ]; then
    (cd "$root" && cargo build --quiet -p gemini-fake --bin gemini-fake)
    bin="${CARGO_TARGET_DIR:-$root/target}/debug/gemini-fake"
fi

log="$(mktemp)"
"$bin" --port 0 --key "$key" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

base=""
for _ in $(seq 1 100); do
    base="$(sed -n 's/^listening on //p' "$log" | head -n1)"
    [ -n "$base" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "sdk: gemini-fake exited early:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$base" ]; then
    echo "sdk: gemini-fake did not start" >&2
    exit 1
fi

FAKE_BASE_URL="$base" FAKE_KEY="$key" "$venv/bin/python" "$here/test_google_genai.py"
