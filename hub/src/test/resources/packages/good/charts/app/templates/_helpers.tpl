{{- define "app.name" -}}{{ include "common.fullname" . }}{{- end -}}
