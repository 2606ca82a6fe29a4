{{/*
Checks across values that the schema cannot say, each failing with what to change. Included from
the Deployment, so every render runs them.
*/}}
{{- define "outpost-agent.validate" -}}
{{- if not .Values.hub.address -}}
{{- fail "hub.address is required: the hub's agent gateway as HOST:PORT, e.g. --set hub.address=hub.example.com:8443" -}}
{{- end -}}
{{- if and (include "outpost-agent.hasJoinToken" .) (not .Values.hub.caHash) -}}
{{- fail "hub.caHash is required with a join token: the caFingerprint (sha256:...) of the join-token answer; the agent checks the hub's CA against it before sending the token" -}}
{{- end -}}
{{- if and (eq .Values.namespaceMode "existing") (empty .Values.namespaces) -}}
{{- fail "namespaces must list at least one namespace with namespaceMode existing: the agent deploys only there (or set namespaceMode per-deployment)" -}}
{{- end -}}
{{- if and .Values.caBundle.configMap .Values.caBundle.secret -}}
{{- fail "caBundle: set configMap or secret, not both" -}}
{{- end -}}
{{- if and .Values.proxy.credentialsSecret (not .Values.proxy.httpsProxy) -}}
{{- fail "proxy.credentialsSecret needs proxy.httpsProxy: the credentials are for that proxy" -}}
{{- end -}}
{{- end -}}
