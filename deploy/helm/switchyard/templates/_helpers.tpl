{{/* Labels every object carries; the selector uses only the stable two. */}}
{{- define "switchyard.selectorLabels" -}}
app.kubernetes.io/name: switchyard
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "switchyard.labels" -}}
{{ include "switchyard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{/* Objects are named after the release, so two releases can share a namespace. */}}
{{- define "switchyard.fullname" -}}
{{- if contains "switchyard" .Release.Name }}{{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}{{ printf "%s-switchyard" .Release.Name | trunc 63 | trimSuffix "-" }}{{ end }}
{{- end }}

{{/*
The replica count, checked against the store. One SQLite file cannot be shared: a second controller
refuses to start on its lock, and a ReadWriteOnce volume attaches to one node anyway. So the sqlite
store runs exactly one replica; the kubernetes store defaults to two (one leads, the other serves the
API and takes over within the Lease's duration).
*/}}
{{- define "switchyard.replicas" -}}
{{- $kind := .Values.store.kind -}}
{{- if not (has $kind (list "sqlite" "kubernetes")) -}}
{{- fail (printf "store.kind must be sqlite or kubernetes, not %q" $kind) -}}
{{- end -}}
{{- $default := ternary 1 2 (eq $kind "sqlite") -}}
{{- $replicas := $default -}}
{{- if not (kindIs "invalid" .Values.replicaCount) }}{{ $replicas = int .Values.replicaCount }}{{ end -}}
{{- if and (eq $kind "sqlite") (gt $replicas 1) -}}
{{- fail (printf "replicaCount is %d but store.kind is sqlite: one SQLite file cannot be shared by several controllers. Run one replica, or set store.kind=kubernetes for several." $replicas) -}}
{{- end -}}
{{- $replicas -}}
{{- end }}

{{- define "switchyard.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end }}

{{/*
controller.yaml. The chart owns the sections that must agree with the pod: where the API listens (every
interface, for the Service and the kubelet's probes), the store, the platforms and fleets folders and
the tokens file. Everything else comes from values.controller.
*/}}
{{- define "switchyard.controllerFile" -}}
{{- $file := deepCopy .Values.controller -}}
{{- $server := get $file "server" | default dict | deepCopy -}}
{{- $_ := set $server "host" "0.0.0.0" -}}
{{- $_ := set $server "port" 8080 -}}
{{- $_ := set $file "server" $server -}}
{{- if eq .Values.store.kind "sqlite" -}}
{{- $_ := set $file "store" (dict "path" "/var/lib/switchyard/switchyard.db") -}}
{{- else -}}
{{- $_ := set $file "store" (dict "kind" "kubernetes" "namespace" .Release.Namespace) -}}
{{- end -}}
{{- $_ := set $file "platformsDir" "/etc/switchyard/platforms" -}}
{{- $_ := set $file "fleetsDir" "/etc/switchyard/fleets" -}}
{{- $auth := dict "tokensFile" "/etc/switchyard/tokens/tokens.yaml" "publicReads" .Values.auth.publicReads -}}
{{- $_ := set $file "auth" $auth -}}
{{- toYaml $file -}}
{{- end }}
