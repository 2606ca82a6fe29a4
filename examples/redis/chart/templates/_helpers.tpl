{{/*
Names and checks of this chart, on top of the outpost-common library chart.
*/}}

{{- define "redis.fullname" -}}
{{- include "outpost-common.names.fullname" . -}}
{{- end -}}

{{/* The primary's StatefulSet and Service name. */}}
{{- define "redis.master.fullname" -}}
{{- include "outpost-common.names.component" (dict "component" "master" "context" .) -}}
{{- end -}}

{{/* The replicas' StatefulSet and Service name. */}}
{{- define "redis.replica.fullname" -}}
{{- include "outpost-common.names.component" (dict "component" "replicas" "context" .) -}}
{{- end -}}

{{/* The headless Service that gives every pod a stable DNS name (what replicas use to find the primary). */}}
{{- define "redis.headless.fullname" -}}
{{- include "outpost-common.names.component" (dict "component" "headless" "context" .) -}}
{{- end -}}

{{- define "redis.config.fullname" -}}
{{- include "outpost-common.names.component" (dict "component" "config" "context" .) -}}
{{- end -}}

{{/* The Secret holding the password: the chart's own, or auth.existingSecret. */}}
{{- define "redis.secretName" -}}
{{- if .Values.auth.existingSecret -}}
{{- tpl .Values.auth.existingSecret . -}}
{{- else -}}
{{- include "outpost-common.names.component" (dict "component" "auth" "context" .) -}}
{{- end -}}
{{- end -}}

{{/* The primary's stable DNS name: pod 0 of the master StatefulSet behind the headless Service. */}}
{{- define "redis.master.host" -}}
{{- printf "%s-0.%s.%s.svc.%s" (include "redis.master.fullname" .) (include "redis.headless.fullname" .) (include "outpost-common.names.namespace" .) .Values.clusterDomain -}}
{{- end -}}

{{/*
The password to store: the one given, else a random one. Outpost always gives one (a secret parameter,
generated once per deployment), so its renders are deterministic. There is deliberately no `lookup` of
the Secret already in the cluster: a client-side render (the hub's) has no cluster to ask, and must not
reach whatever cluster a kubeconfig on the rendering machine points at.
*/}}
{{- define "redis.password" -}}
{{- if .Values.auth.password -}}
{{- .Values.auth.password -}}
{{- else -}}
{{- randAlphaNum 32 -}}
{{- end -}}
{{- end -}}

{{/* Refuses values that cannot work, with the value's name, before anything is rendered. */}}
{{- define "redis.validateValues" -}}
{{- if not (has .Values.architecture (list "standalone" "replication")) -}}
{{- fail (printf "architecture must be standalone or replication, not %q" (toString .Values.architecture)) -}}
{{- end -}}
{{- range $component := list "master" "replica" -}}
{{- $values := index $.Values $component -}}
{{- if not (has $values.persistence.retention (list "delete" "retain")) -}}
{{- fail (printf "%s.persistence.retention must be delete or retain, not %q" $component (toString $values.persistence.retention)) -}}
{{- end -}}
{{- if not (has $values.service.type (list "ClusterIP" "NodePort" "LoadBalancer")) -}}
{{- fail (printf "%s.service.type must be ClusterIP, NodePort or LoadBalancer, not %q" $component (toString $values.service.type)) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.replica.autoscaling.enabled (gt (int .Values.replica.autoscaling.minReplicas) (int .Values.replica.autoscaling.maxReplicas)) -}}
{{- fail (printf "replica.autoscaling.minReplicas (%v) must not exceed maxReplicas (%v)" .Values.replica.autoscaling.minReplicas .Values.replica.autoscaling.maxReplicas) -}}
{{- end -}}
{{- end -}}

{{/*
The StatefulSet's PVC retention policy, on Kubernetes versions that have it (beta and on by default
since 1.27); older servers would drop the field, so it is not rendered there.
Usage: {{ include "redis.pvcRetention" (dict "persistence" .Values.master.persistence "context" $) }}
*/}}
{{- define "redis.pvcRetention" -}}
{{- if include "outpost-common.capabilities.kubeAtLeast" (dict "version" "1.27" "context" .context) -}}
{{- $policy := ternary "Delete" "Retain" (eq .persistence.retention "delete") -}}
persistentVolumeClaimRetentionPolicy:
  whenDeleted: {{ $policy }}
  whenScaled: {{ $policy }}
{{- end -}}
{{- end -}}

{{/* The volumeClaimTemplates of a component. Usage as redis.pvcRetention. */}}
{{- define "redis.volumeClaimTemplates" -}}
volumeClaimTemplates:
  - apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: data
      labels: {{- include "outpost-common.labels.matchLabels" (dict "component" .component "context" .context) | nindent 8 }}
    spec:
      accessModes: {{- toYaml .persistence.accessModes | nindent 8 }}
      {{- with .persistence.storageClass }}
      storageClassName: {{ . | quote }}
      {{- end }}
      resources:
        requests:
          storage: {{ .persistence.size | quote }}
{{- end -}}

{{/* Whether a ServiceMonitor is wanted and the cluster can take it. */}}
{{- define "redis.serviceMonitor.enabled" -}}
{{- if and .Values.metrics.enabled .Values.metrics.serviceMonitor.enabled (include "outpost-common.capabilities.hasApi" (dict "api" "monitoring.coreos.com/v1" "context" .)) -}}
true
{{- end -}}
{{- end -}}
