{{/*
Chart name, truncated to 63 characters (the DNS label limit).
*/}}
{{- define "led.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name. If the release name already contains the chart name it is used as is.
*/}}
{{- define "led.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "led.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "led.labels" -}}
helm.sh/chart: {{ include "led.chart" . }}
{{ include "led.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels of the service's pods (kept stable across upgrades).
*/}}
{{- define "led.selectorLabels" -}}
app.kubernetes.io/name: {{ include "led.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end }}

{{/*
Names of the objects.
*/}}
{{- define "led.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "led.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "led.configMapName" -}}
{{- include "led.fullname" . }}
{{- end }}

{{/*
The Secret the pods read their secret variables from: existingSecret, or the chart's own one
(rendered only when `secrets` has entries). Empty when there is none.
*/}}
{{- define "led.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else if or .Values.secrets (include "led.auth.generateSecret" .) }}
{{- include "led.fullname" . }}
{{- end }}
{{- end }}

{{/*
"true" when the chart must generate AUTH_JWT_SECRET: jwt mode, generation on, and no key given any other way
(secrets, config, or existingSecret, which must then hold AUTH_JWT_SECRET or AUTH_JWT_PUBLIC_KEY itself).
Empty otherwise.
*/}}
{{- define "led.auth.generateSecret" -}}
{{- $a := .Values.auth -}}
{{- $ownKey := or (hasKey .Values.secrets "AUTH_JWT_SECRET") (hasKey .Values.secrets "AUTH_JWT_PUBLIC_KEY") (hasKey .Values.config "AUTH_JWT_PUBLIC_KEY") .Values.existingSecret -}}
{{- if and (eq $a.mode "jwt") (not $ownKey) (($a.jwt).generateSecret) -}}
true
{{- end -}}
{{- end }}

{{/*
The generated AUTH_JWT_SECRET, base64: the one the release's Secret already holds (so upgrades keep it and the
backend's tokens stay valid), else 48 random characters.
*/}}
{{- define "led.auth.generatedSecretB64" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "led.fullname" .) -}}
{{- if and $existing $existing.data (hasKey $existing.data "AUTH_JWT_SECRET") -}}
{{- index $existing.data "AUTH_JWT_SECRET" -}}
{{- else -}}
{{- randAlphaNum 48 | b64enc -}}
{{- end -}}
{{- end }}

{{- define "led.redis.fullname" -}}
{{- printf "%s-redis" (include "led.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "led.redis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "led.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end }}

{{- define "led.redis.labels" -}}
helm.sh/chart: {{ include "led.chart" . }}
{{ include "led.redis.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Image reference: registry/repository:tag, or @digest when a digest is given.
*/}}
{{- define "led.imageRef" -}}
{{- $registry := .image.registry -}}
{{- $repo := .image.repository -}}
{{- $ref := ternary $repo (printf "%s/%s" $registry $repo) (empty $registry) -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $ref .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (toString (.image.tag | default .appVersion)) -}}
{{- end -}}
{{- end }}

{{- define "led.image" -}}
{{- include "led.imageRef" (dict "image" .Values.image "appVersion" .Chart.AppVersion) }}
{{- end }}

{{- define "led.redis.image" -}}
{{- include "led.imageRef" (dict "image" .Values.redis.internal.image "appVersion" "") }}
{{- end }}

{{/*
Seconds the service gets on SIGTERM to finish sweeps, deliveries and requests (env SHUTDOWN_TIMEOUT_MS).
*/}}
{{- define "led.shutdownSeconds" -}}
{{- $ms := int (.Values.config.SHUTDOWN_TIMEOUT_MS | default "10000") -}}
{{- div (add $ms 999) 1000 -}}
{{- end }}

{{/*
terminationGracePeriodSeconds: the preStop pause plus the service's own drain plus a margin, unless set.
A value that leaves no margin is refused: Kubernetes would SIGKILL the pod in the middle of its drain.
*/}}
{{- define "led.terminationGracePeriodSeconds" -}}
{{- $needed := add (int .Values.lifecycle.preStopSleepSeconds) (int (include "led.shutdownSeconds" .)) -}}
{{- if .Values.terminationGracePeriodSeconds -}}
{{- if le (int .Values.terminationGracePeriodSeconds) $needed -}}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed lifecycle.preStopSleepSeconds + SHUTDOWN_TIMEOUT_MS in seconds (%d)" (int .Values.terminationGracePeriodSeconds) $needed) -}}
{{- end -}}
{{- .Values.terminationGracePeriodSeconds -}}
{{- else -}}
{{- add $needed 5 -}}
{{- end -}}
{{- end }}

{{/*
Redis connection settings, as environment variables (rendered into the ConfigMap).
*/}}
{{- define "led.redis.env" -}}
{{- $r := .Values.redis -}}
{{- if $r.internal.enabled }}
{{- if ne $r.mode "standalone" }}
{{- fail "redis.internal.enabled runs one standalone Redis: set redis.mode to standalone" }}
{{- end }}
REDIS_MODE: "standalone"
REDIS_URL: {{ printf "redis://%s:6379" (include "led.redis.fullname" .) | quote }}
{{- else if eq $r.mode "standalone" }}
{{- $url := required "redis.url is required when redis.mode is standalone (or enable redis.internal)" $r.url }}
{{- if regexMatch "^rediss?://[^/@]*:[^/@]*@" $url }}
{{- fail "redis.url must not carry a password (it would land in a ConfigMap): put it in secrets.REDIS_PASSWORD or redis.passwordSecret" }}
{{- end }}
REDIS_MODE: "standalone"
REDIS_URL: {{ $url | quote }}
{{- else }}
{{- if empty $r.nodes }}
{{- fail (printf "redis.nodes (host:port list) is required when redis.mode is %s" $r.mode) }}
{{- end }}
REDIS_MODE: {{ $r.mode | quote }}
REDIS_NODES: {{ join "," $r.nodes | quote }}
{{- if eq $r.mode "sentinel" }}
REDIS_SENTINEL_MASTER: {{ required "redis.sentinelMaster is required when redis.mode is sentinel" $r.sentinelMaster | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Checks across values that the JSON schema cannot express.
*/}}
{{- define "led.validate" -}}
{{- $ownKey := or (hasKey .Values.secrets "AUTH_JWT_SECRET") (hasKey .Values.secrets "AUTH_JWT_PUBLIC_KEY") (hasKey .Values.config "AUTH_JWT_PUBLIC_KEY") .Values.existingSecret }}
{{- if and (eq .Values.auth.mode "jwt") (not $ownKey) (not (include "led.auth.generateSecret" .)) }}
{{- fail "auth.mode=jwt needs a key to verify anchor tokens: set secrets.AUTH_JWT_SECRET (HS256, 32+ characters) or config.AUTH_JWT_PUBLIC_KEY, put one of them in existingSecret, or leave auth.jwt.generateSecret=true" }}
{{- end }}
{{- if and .Values.existingSecret .Values.secrets }}
{{- fail "set either existingSecret or secrets, not both: with existingSecret every secret variable comes from that Secret" }}
{{- end }}
{{- if and .Values.redis.passwordSecret.name (hasKey .Values.secrets "REDIS_PASSWORD") }}
{{- fail "REDIS_PASSWORD is given twice: in secrets.REDIS_PASSWORD and through redis.passwordSecret" }}
{{- end }}
{{- end }}
