{{/*
Values that may hold templates, so a vendor can write e.g. podAnnotations: {checksum: "{{ .Release.Revision }}"}
or refer to other values. Usage: {{ include "outpost-common.tplvalues.render" (dict "value" .Values.x "context" $) }}
A string is rendered as it is; anything else is turned into YAML first.
*/}}
{{- define "outpost-common.tplvalues.render" -}}
{{- if typeIs "string" .value -}}
{{- tpl .value .context -}}
{{- else -}}
{{- tpl (.value | toYaml) .context -}}
{{- end -}}
{{- end -}}
