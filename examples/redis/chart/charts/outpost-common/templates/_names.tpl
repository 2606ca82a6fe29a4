{{/*
Names. Kubernetes names are DNS labels (63 characters at most); Helm's release name is the Outpost
deployment's name, so the chart name is dropped from the full name when the release already holds it.
*/}}

{{/* The chart's name, or .Values.nameOverride. */}}
{{- define "outpost-common.names.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release-qualified name every object of the chart starts with, or .Values.fullnameOverride. */}}
{{- define "outpost-common.names.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The full name with a component suffix, kept within 63 characters by shortening the full name, not the suffix.
Usage: {{ include "outpost-common.names.component" (dict "component" "master" "context" $) }}
*/}}
{{- define "outpost-common.names.component" -}}
{{- $suffix := printf "-%s" .component -}}
{{- $base := include "outpost-common.names.fullname" .context | trunc (int (sub 63 (len $suffix))) | trimSuffix "-" -}}
{{- printf "%s%s" $base $suffix -}}
{{- end -}}

{{/* name-version of the chart, for the helm.sh/chart label. */}}
{{- define "outpost-common.names.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The namespace objects go to: the release namespace (Outpost's deployment namespace). */}}
{{- define "outpost-common.names.namespace" -}}
{{- .Release.Namespace | trunc 63 | trimSuffix "-" -}}
{{- end -}}
