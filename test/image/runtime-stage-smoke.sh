#!/usr/bin/env bash
# Checks the image recipe without Docker: does what the Dockerfile's runtime stage does, in a clean temp directory
# (package.json + package-lock.json, `npm ci --omit=dev`, dist/), then starts `node dist/main.js` the way the image
# does (as an unprivileged user when possible, app files read-only, a bare environment) with a bad PORT and expects
# exit code 1 and a message naming PORT. Needs `npm run build` first (run here when dist/main.js is missing).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP="$(mktemp -d)"
trap 'chmod -R u+w "$APP" 2>/dev/null; rm -rf "$APP" "$APP.out"' EXIT
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "[image-smoke] ok   $*" >&2; }
bad() { failed=$((failed + 1)); echo "[image-smoke] FAIL $*" >&2; }
start=$SECONDS

cd "$ROOT"
[[ -f dist/main.js ]] || { echo "[image-smoke] dist/main.js missing: npm run build" >&2; npm run build >&2; }

# The Dockerfile's runtime recipe, which this script mirrors.
grep -q 'npm ci --omit=dev' Dockerfile && grep -q 'CMD \["dist/main.js"\]' Dockerfile && grep -q '^USER 65532' Dockerfile \
  && ! grep -qi '^HEALTHCHECK' Dockerfile && ok "Dockerfile: npm ci --omit=dev, non-root USER, CMD dist/main.js, no HEALTHCHECK" \
  || bad "Dockerfile does not follow the recipe this script checks"

cp package.json package-lock.json "$APP/"
(cd "$APP" && NODE_ENV=production npm ci --omit=dev --no-audit --no-fund --loglevel=error >&2)
cp -R dist "$APP/dist"

# Production dependencies only.
devs=()
for dev in typescript jest ts-jest @nestjs/cli; do [[ -e "$APP/node_modules/$dev" ]] && devs+=("$dev"); done
[[ ${#devs[@]} == 0 ]] && ok "npm ci --omit=dev installed no dev tooling" || bad "dev dependencies installed: ${devs[*]}"

# Every Lua script made it into dist/ (nest-cli.json assets), where the service loads it from.
missing=0
while IFS= read -r lua; do
  [[ -f "$APP/dist/${lua#src/}" ]] || { bad "missing in dist/: ${lua#src/}"; missing=1; }
done < <(find src -name '*.lua' | sort)
[[ $missing == 0 ]] && ok "dist/ has every src/**/*.lua ($(find src -name '*.lua' | wc -l) files)"

# Run like the image: unprivileged (uid 65532 when we are root and setpriv exists), read-only app files, bare env.
chmod -R a-w "$APP"
run=(env -i "PATH=$(dirname "$(command -v node)"):/usr/bin:/bin" NODE_ENV=production HOME=/nonexistent)
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null; then
  chmod a+rx "$APP"
  run=(setpriv --reuid=65532 --regid=65532 --clear-groups "${run[@]}")
fi
set +e
(cd "$APP" && timeout 60 "${run[@]}" PORT=abc REDIS_URL=redis://127.0.0.1:1 node dist/main.js) >"$APP.out" 2>&1
code=$?
set -e
chmod -R u+w "$APP"
if [[ $code == 1 ]] && grep -q 'PORT' "$APP.out"; then
  ok "node dist/main.js with PORT=abc exits 1 naming PORT: $(grep -m1 PORT "$APP.out" | cut -c1-160)"
else
  bad "node dist/main.js with PORT=abc: exit code $code (want 1), output:"; sed 's/^/    /' "$APP.out" >&2
fi
rm -f "$APP.out"

echo "[image-smoke] took $((SECONDS - start)) s" >&2
echo "image: $passed passed, $failed failed"
[[ $failed == 0 ]]
