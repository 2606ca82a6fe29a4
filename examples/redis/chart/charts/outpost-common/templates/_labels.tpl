{{/*
Labels. Selector labels never change across upgrades (a StatefulSet's selector is immutable), so they
hold only the name, the instance and the component; the rest (version, chart) goes on the object labels.
*/}}

{{/*
Selector labels. Usage: {{ include "outpost-common.labels.matchLabels" (dict "component" "master" "context" $) }}
The component may be empty for objects that span components (the headless Service).
*/}}
{{- define "outpost-common.labels.matchLabels" -}}
app.kubernetes.io/name: {{ include "outpost-common.names.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{/* Object labels: the selector labels plus version, chart and .Values.commonLabels (rendered with tpl). */}}
{{- define "outpost-common.labels.standard" -}}
{{ include "outpost-common.labels.matchLabels" . }}
app.kubernetes.io/version: {{ .context.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
helm.sh/chart: {{ include "outpost-common.names.chart" .context }}
{{- with .context.Values.commonLabels }}
{{ include "outpost-common.tplvalues.render" (dict "value" . "context" $.context) }}
{{- end }}
{{- end -}}
