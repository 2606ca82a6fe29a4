{{- define "outpost-hub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release name, with the chart's name unless it is in it already. */}}
{{- define "outpost-hub.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "outpost-hub.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "outpost-hub.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The gateway Service's name; kept within 63 characters, as a DNS label must be. */}}
{{- define "outpost-hub.gatewayName" -}}
{{- printf "%s-gateway" (include "outpost-hub.fullname" . | trunc 55 | trimSuffix "-") -}}
{{- end -}}

{{- define "outpost-hub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "outpost-hub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "outpost-hub.labels" -}}
{{ include "outpost-hub.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: hub
app.kubernetes.io/part-of: outpost
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
outpost.dev/database: {{ include "outpost-hub.database" . }}
{{- end -}}

{{/* The pod's labels: no chart version, so that upgrading the chart alone does not restart the hub. */}}
{{- define "outpost-hub.podLabels" -}}
{{ include "outpost-hub.selectorLabels" . }}
app.kubernetes.io/component: hub
app.kubernetes.io/part-of: outpost
outpost.dev/database: {{ include "outpost-hub.database" . }}
{{- end -}}

{{/* "postgresql" or "h2". */}}
{{- define "outpost-hub.database" -}}
{{- if .Values.database.url -}}postgresql{{- else -}}h2{{- end -}}
{{- end -}}

{{- define "outpost-hub.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.registry -}}
{{- printf "%s/%s:%s" .Values.image.registry .Values.image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "outpost-hub.claimName" -}}
{{- default (printf "%s-data" (include "outpost-hub.fullname" .)) .Values.persistence.existingClaim -}}
{{- end -}}

{{/*
The gateway's certificate names: the user's, then the gateway Service's own DNS names, so agents in
this cluster can dial it too.
*/}}
{{- define "outpost-hub.grpcHostnames" -}}
{{- $service := include "outpost-hub.gatewayName" . -}}
{{- $names := concat .Values.gateway.hostnames (list $service (printf "%s.%s" $service .Release.Namespace) (printf "%s.%s.svc" $service .Release.Namespace)) -}}
{{- join "," (uniq $names) -}}
{{- end -}}
