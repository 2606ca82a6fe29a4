{{/*
API checks. helm-java renders client-side, so .Capabilities.APIVersions is Helm's built-in set and never
holds a CRD's API (monitoring.coreos.com/v1 for a ServiceMonitor). Outpost passes the API versions the
cluster really serves as .Values.global.outpost.apiVersions; a plain `helm install` (or `helm template
--api-versions`) fills .Capabilities instead. An API counts as served when either says so.
Usage: {{ if include "outpost-common.capabilities.hasApi" (dict "api" "monitoring.coreos.com/v1" "context" $) }}
Renders "true" or nothing, so it works in `if`.
*/}}
{{- define "outpost-common.capabilities.hasApi" -}}
{{- $global := .context.Values.global | default dict -}}
{{- $outpost := $global.outpost | default dict -}}
{{- $served := $outpost.apiVersions | default list -}}
{{- if or (has .api $served) (.context.Capabilities.APIVersions.Has .api) -}}
true
{{- end -}}
{{- end -}}

{{/* The HorizontalPodAutoscaler API: autoscaling/v2 where served (Kubernetes 1.23+), else v2beta2. */}}
{{- define "outpost-common.capabilities.hpa.apiVersion" -}}
{{- if include "outpost-common.capabilities.hasApi" (dict "api" "autoscaling/v2" "context" .) -}}
autoscaling/v2
{{- else -}}
autoscaling/v2beta2
{{- end -}}
{{- end -}}

{{/* Whether the cluster's Kubernetes version is at least .version (e.g. "1.27"); pre-release builds count. */}}
{{- define "outpost-common.capabilities.kubeAtLeast" -}}
{{- if semverCompare (printf ">=%s-0" .version) .context.Capabilities.KubeVersion.Version -}}
true
{{- end -}}
{{- end -}}
