#!/usr/bin/env bash
# Fuzzes the HTTP API from its own OpenAPI document (openapi.json) with schemathesis, against the built service
# (node dist/main.js) and a real redis-server: no 5xx, and no status code, header, content type or body that
# contradicts the document. Installs schemathesis from PyPI into .venv-fuzz when `st` is missing.
# Env: FUZZ_MAX_EXAMPLES (per operation and phase, default 300), FUZZ_SEED.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
WORK="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

st_bin="$(command -v st || true)"
if [[ -z "$st_bin" ]]; then
  if [[ ! -x .venv-fuzz/bin/st ]]; then
    echo "[fuzz] installing schemathesis==$SCHEMATHESIS_VERSION into .venv-fuzz" >&2
    python3 -m venv .venv-fuzz
    .venv-fuzz/bin/pip install -q "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  st_bin="$ROOT/.venv-fuzz/bin/st"
fi
[[ -f dist/main.js ]] || npm run build >&2

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
redis_port="$(free_port)"
port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$WORK" --save '' --appendonly no >/dev/null &
pids+=($!)
admin_token="fuzz-admin-token-0123456789"
# The rate limit would answer 429 (documented) to most of the generated beats; turn it off to reach deeper.
PORT="$port" HOST=127.0.0.1 REDIS_URL="redis://127.0.0.1:$redis_port" AUTH_MODE=none ADMIN_TOKEN="$admin_token" \
  NOTIFIERS=log LOG_LEVEL=error HEARTBEAT_RATE_PER_SEC=0 node dist/main.js >"$WORK/service.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

echo "[fuzz] schemathesis against http://127.0.0.1:$port" >&2
status=0
"$st_bin" run openapi.json --url "http://127.0.0.1:$port" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "${FUZZ_MAX_EXAMPLES:-300}" ${FUZZ_SEED:+--seed "$FUZZ_SEED"} \
  --header "Authorization: Bearer $admin_token" \
  --report ndjson --report-ndjson-path "$WORK/events.ndjson" --warnings off || status=$?

requests="$(grep -o '"http_method"\|"method": *"[A-Z]*"' "$WORK/events.ndjson" 2>/dev/null | wc -l || true)"
echo "[fuzz] exit $status; requests recorded: $requests" >&2
if [[ $status -ne 0 ]]; then echo "[fuzz] service log tail:" >&2; tail -20 "$WORK/service.log" >&2; fi
exit $status
