{{/*
Names and labels.
*/}}
{{- define "switchyard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "switchyard.fullname" -}}
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

{{- define "switchyard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object of the release. */}}
{{- define "switchyard.labels" -}}
helm.sh/chart: {{ include "switchyard.chart" . }}
app.kubernetes.io/name: {{ include "switchyard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: switchyard
{{- end }}

{{/* Selects every pod of the release (NetworkPolicy peers). */}}
{{- define "switchyard.releaseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "switchyard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Per-service helpers take (list $root $serviceName). */}}
{{- define "switchyard.componentName" -}}
{{- $root := index . 0 }}{{ $name := index . 1 }}
{{- printf "%s-%s" (include "switchyard.fullname" $root | trunc (int (sub 62 (len $name)))) $name | trimSuffix "-" }}
{{- end }}

{{- define "switchyard.selectorLabels" -}}
{{- $root := index . 0 }}{{ $name := index . 1 }}
{{- include "switchyard.releaseSelectorLabels" $root }}
app.kubernetes.io/component: {{ $name }}
{{- end }}

{{- define "switchyard.componentLabels" -}}
{{- $root := index . 0 }}{{ $name := index . 1 }}
{{- include "switchyard.labels" $root }}
app.kubernetes.io/component: {{ $name }}
{{- end }}

{{/*
The enabled services as JSON: name -> `defaults` deep-merged with
`services.<name>` (the service wins, false and empty values included).
Templates range over it: range $name, $svc := include "switchyard.services" . | fromJson
*/}}
{{- define "switchyard.services" -}}
{{- $out := dict }}
{{- range $name, $svc := .Values.services }}
{{- if and $svc $svc.enabled }}
{{- $_ := set $out $name (mergeOverwrite (deepCopy $.Values.defaults) (deepCopy $svc)) }}
{{- end }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{/* SWITCHYARD_<NAME>_: the env prefix of a service. */}}
{{- define "switchyard.envPrefix" -}}
{{- printf "SWITCHYARD_%s_" (. | upper | replace "-" "_") }}
{{- end }}

{{/* The port that serves /healthz, /readyz and /metrics: edge's HTTP port, or ops. */}}
{{- define "switchyard.opsPortName" -}}
{{- if .ports.http }}http{{ else }}ops{{ end }}
{{- end }}

{{- define "switchyard.image" -}}
{{- $root := index . 0 }}{{ $name := index . 1 }}{{ $svc := index . 2 }}
{{- $img := $svc.image | default dict }}
{{- $repo := $img.repository | default (printf "%s/%s" $root.Values.image.repository $name) }}
{{- $registry := $img.registry | default $root.Values.image.registry }}
{{- $tag := $img.tag | default $root.Values.image.tag | default $root.Chart.AppVersion }}
{{- if $registry }}{{ printf "%s/" $registry }}{{ end }}{{ printf "%s:%s" $repo $tag }}
{{- end }}

{{- define "switchyard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "switchyard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Name of the Secret holding the shared values. */}}
{{- define "switchyard.secretName" -}}
{{- default (include "switchyard.fullname" .) .Values.existingSecret }}
{{- end }}

{{/*
Secret values: logical name -> environment variable, whether optional, and the
store whose own `existingSecret` may override where it comes from.
*/}}
{{- define "switchyard.secretEnvSpec" -}}
adminToken: { env: SWITCHYARD_ADMIN_TOKEN, optional: false }
openaiApiKey: { env: OPENAI_API_KEY, optional: true }
anthropicApiKey: { env: ANTHROPIC_API_KEY, optional: true }
databaseUrl: { env: DATABASE_URL, optional: false, store: postgres }
redisUrl: { env: REDIS_URL, optional: false, store: redis }
natsUrl: { env: NATS_URL, optional: false, store: nats }
mcpSessionSecret: { env: SWITCHYARD_EDGE_MCP_SESSION_SECRET, optional: false }
encryptionKey: { env: SWITCHYARD_ENCRYPTION_KEY, optional: false }
{{- end }}

{{/* One EnvVar from a Secret; takes (list $root $logicalName). */}}
{{- define "switchyard.secretEnvVar" -}}
{{- $root := index . 0 }}{{ $key := index . 1 }}
{{- $spec := index (include "switchyard.secretEnvSpec" $root | fromYaml) $key }}
{{- if not $spec }}{{ fail (printf "unknown secretEnv entry %q (one of adminToken, openaiApiKey, anthropicApiKey, databaseUrl, redisUrl, natsUrl, mcpSessionSecret, encryptionKey)" $key) }}{{ end }}
{{- $secretName := include "switchyard.secretName" $root }}
{{- $secretKey := index $root.Values.existingSecretKeys $key }}
{{- if $spec.store }}
{{- $store := index $root.Values $spec.store }}
{{- if $store.existingSecret.name }}
{{- $secretName = $store.existingSecret.name }}
{{- $secretKey = $store.existingSecret.key }}
{{- end }}
{{- end }}
- name: {{ $spec.env }}
  valueFrom:
    secretKeyRef:
      name: {{ $secretName }}
      key: {{ $secretKey }}
      {{- if $spec.optional }}
      optional: true
      {{- end }}
{{- end }}

{{/* host:port of a service's gRPC port; takes (list $root $name $svc). */}}
{{- define "switchyard.grpcAddr" -}}
{{- $root := index . 0 }}{{ $name := index . 1 }}{{ $svc := index . 2 }}
{{- $host := include "switchyard.componentName" (list $root $name) }}
{{- if eq $root.Values.grpcDiscovery "headless" }}{{ $host = printf "%s-headless" $host }}{{ end }}
{{- printf "%s:%v" $host $svc.ports.grpc }}
{{- end }}

{{/* The container env of a service; takes (list $root $name $svc $services). */}}
{{- define "switchyard.env" -}}
{{- $root := index . 0 }}{{ $name := index . 1 }}{{ $svc := index . 2 }}{{ $services := index . 3 }}
{{- $prefix := include "switchyard.envPrefix" $name }}
- name: LOG_LEVEL
  value: {{ $svc.logLevel | default $root.Values.logLevel | quote }}
{{- with $root.Values.tracing.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
  value: {{ . | quote }}
{{- end }}
- name: SWITCHYARD_CONFIG
  value: /etc/switchyard/switchyard.yaml
{{- if $svc.ports.http }}
- name: {{ $prefix }}HOST
  value: "0.0.0.0"
- name: {{ $prefix }}PORT
  value: {{ $svc.ports.http | quote }}
- name: {{ $prefix }}AUTH
  value: required
{{- if not (index $services "mcp-connector") }}
{{- /* No mcp-connector in this release: edge injects no MCP tools and does not look for them. */}}
- name: {{ $prefix }}MCP_ENABLED
  value: "false"
{{- end }}
{{- end }}
{{- /* Services bind to 127.0.0.1 unless told otherwise: in a pod they must listen on all interfaces. */}}
{{- if $svc.ports.grpc }}
- name: {{ $prefix }}GRPC_HOST
  value: "0.0.0.0"
- name: {{ $prefix }}GRPC_PORT
  value: {{ $svc.ports.grpc | quote }}
{{- end }}
{{- if $svc.ports.ops }}
- name: {{ $prefix }}OPS_HOST
  value: "0.0.0.0"
- name: {{ $prefix }}OPS_PORT
  value: {{ $svc.ports.ops | quote }}
{{- end }}
{{- range $dep := $svc.connectsTo }}
{{- $target := index $services $dep }}
{{- if $target }}
- name: {{ printf "%s%s_ADDR" $prefix ($dep | upper | replace "-" "_") }}
  value: {{ include "switchyard.grpcAddr" (list $root $dep $target) | quote }}
{{- end }}
{{- end }}
{{- range $key := $svc.secretEnv }}
{{ include "switchyard.secretEnvVar" (list $root $key) | trim }}
{{- end }}
{{- range $k, $v := $svc.env }}
- name: {{ $k }}
  value: {{ $v | toString | quote }}
{{- end }}
{{- with $svc.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
