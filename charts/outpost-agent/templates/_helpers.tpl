{{/* The chart's name, or nameOverride. */}}
{{- define "outpost-agent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Names of namespaced objects: the release name, with the chart's name unless it is in it already. */}}
{{- define "outpost-agent.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "outpost-agent.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "outpost-agent.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
Names of cluster-scoped objects: "<fullname>-<purpose>-<release namespace>", so that releases in two
namespaces never share one (as agent/rbac/setup.sh suffixes AGENT_NAMESPACE). Call with (list . "purpose").
*/}}
{{- define "outpost-agent.clusterName" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s-%s" (include "outpost-agent.fullname" $root) (index . 1) $root.Release.Namespace | trunc 253 | trimSuffix "-" -}}
{{- end -}}

{{- define "outpost-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "outpost-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "outpost-agent.labels" -}}
{{ include "outpost-agent.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: agent
app.kubernetes.io/part-of: outpost
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
outpost.dev/namespace-mode: {{ .Values.namespaceMode }}
{{- end -}}

{{/* The pod's labels: no chart version, so that upgrading the chart alone does not restart the agent. */}}
{{- define "outpost-agent.podLabels" -}}
{{ include "outpost-agent.selectorLabels" . }}
app.kubernetes.io/component: agent
app.kubernetes.io/part-of: outpost
outpost.dev/namespace-mode: {{ .Values.namespaceMode }}
{{- end -}}

{{- define "outpost-agent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "outpost-agent.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false: the agent's ServiceAccount" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* registry/repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "outpost-agent.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.registry -}}
{{- printf "%s/%s:%s" .Values.image.registry .Values.image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "outpost-agent.joinTokenSecretName" -}}
{{- default (printf "%s-join-token" (include "outpost-agent.fullname" .)) .Values.joinToken.existingSecret -}}
{{- end -}}

{{- define "outpost-agent.hasJoinToken" -}}
{{- if or .Values.joinToken.existingSecret .Values.joinToken.value -}}true{{- end -}}
{{- end -}}

{{- define "outpost-agent.claimName" -}}
{{- default (printf "%s-state" (include "outpost-agent.fullname" .)) .Values.persistence.existingClaim -}}
{{- end -}}

{{/* The ServiceAccount as a RoleBinding/ClusterRoleBinding subject. */}}
{{- define "outpost-agent.subject" -}}
- kind: ServiceAccount
  name: {{ include "outpost-agent.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end -}}

{{/* The proxy's host and port, from proxy.httpsProxy (http://HOST:PORT); port 80 when it has none. */}}
{{- define "outpost-agent.proxyHost" -}}
{{- $url := urlParse .Values.proxy.httpsProxy -}}
{{- regexReplaceAll ":[0-9]+$" $url.host "" -}}
{{- end -}}
{{- define "outpost-agent.proxyPort" -}}
{{- $url := urlParse .Values.proxy.httpsProxy -}}
{{- if regexMatch ":[0-9]+$" $url.host -}}
{{- regexFind "[0-9]+$" $url.host -}}
{{- else -}}
80
{{- end -}}
{{- end -}}

{{/*
JAVA_TOOL_OPTIONS: the JVM options, and the proxy for the gRPC channel to the hub. gRPC-Java finds
a proxy through the JVM's ProxySelector (https.proxyHost/Port, http.nonProxyHosts), not through
HTTPS_PROXY, which only the Kubernetes client reads. Java's nonProxyHosts takes "*.domain" but no CIDRs.
*/}}
{{- define "outpost-agent.javaToolOptions" -}}
{{- $options := list -}}
{{- if .Values.javaOptions -}}{{- $options = append $options .Values.javaOptions -}}{{- end -}}
{{- if .Values.proxy.httpsProxy -}}
{{- $options = append $options (printf "-Dhttps.proxyHost=%s" (include "outpost-agent.proxyHost" .)) -}}
{{- $options = append $options (printf "-Dhttps.proxyPort=%s" (include "outpost-agent.proxyPort" .)) -}}
{{- $direct := list -}}
{{- range .Values.proxy.noProxy -}}
{{- if not (regexMatch "/[0-9]+$" .) -}}
{{- $direct = append $direct (ternary (printf "*%s" .) . (hasPrefix "." .)) -}}
{{- end -}}
{{- end -}}
{{- if $direct -}}
{{- $options = append $options (printf "-Dhttp.nonProxyHosts=%s" (join "|" $direct)) -}}
{{- end -}}
{{- end -}}
{{- join " " $options -}}
{{- end -}}
