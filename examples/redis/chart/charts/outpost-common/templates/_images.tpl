{{/*
Images. Usage: {{ include "outpost-common.images.image" (dict "image" .Values.image "global" .Values.global) }}
The image map has registry (optional), repository and tag, or a digest that wins over the tag;
global.imageRegistry, when set, replaces every image's registry (one mirror for an air-gapped cluster).
*/}}
{{- define "outpost-common.images.image" -}}
{{- $registry := .image.registry | default "" -}}
{{- if and .global .global.imageRegistry -}}
{{- $registry = .global.imageRegistry -}}
{{- end -}}
{{- $repository := required "image.repository is required" .image.repository -}}
{{- $ref := "" -}}
{{- if .image.digest -}}
{{- $ref = printf "@%s" .image.digest -}}
{{- else -}}
{{- $ref = printf ":%s" (toString (required "image.tag or image.digest is required" .image.tag)) -}}
{{- end -}}
{{- if $registry -}}
{{- printf "%s/%s%s" $registry $repository $ref -}}
{{- else -}}
{{- printf "%s%s" $repository $ref -}}
{{- end -}}
{{- end -}}

{{/* The pull policy: the image's own, else IfNotPresent (Always for a floating "latest" tag). */}}
{{- define "outpost-common.images.pullPolicy" -}}
{{- if .image.pullPolicy -}}
{{- .image.pullPolicy -}}
{{- else if eq (toString .image.tag) "latest" -}}
Always
{{- else -}}
IfNotPresent
{{- end -}}
{{- end -}}
