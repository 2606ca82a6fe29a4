{{/* The full name of a release's object: release-chart, at most 63 characters. */}}
{{- define "common.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* True when the cluster serves the API version given, from the hub's list or Helm's own. */}}
{{- define "common.hasApi" -}}
{{- $api := index . 0 -}}
{{- $ctx := index . 1 -}}
{{- $listed := ((($ctx.Values.global).outpost).apiVersions) | default list -}}
{{- if or (has $api $listed) ($ctx.Capabilities.APIVersions.Has $api) -}}true{{- end -}}
{{- end -}}

{{- define "common.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
