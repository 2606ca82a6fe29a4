{{/*
The RBAC rules of agent/rbac: kept equal to those files (and to the agent's own start check,
agent/.../cluster/AgentPermissions) by AgentChartRbacTest. Change them together.
*/}}

{{/* The kinds Outpost releases contain: the start of the namespace Role and of the deployer ClusterRole. */}}
{{- define "outpost-agent.workloadRules" -}}
- apiGroups: [""]
  resources: [configmaps, secrets, services, serviceaccounts, persistentvolumeclaims]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: ["apps"]
  resources: [deployments, statefulsets, daemonsets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: ["policy"]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
# following container logs, which the agent ships to the hub
- apiGroups: [""]
  resources: [pods/log]
  verbs: [get]
# optional: the pods' actual CPU and memory, where the cluster's metrics API answers
- apiGroups: ["metrics.k8s.io"]
  resources: [pods]
  verbs: [get, list]
- apiGroups: ["batch"]
  resources: [jobs]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: ["autoscaling"]
  resources: [horizontalpodautoscalers]
  verbs: [get, list, watch, create, update, patch, delete]
{{- end -}}

{{/* agent/rbac/namespace-role.yaml: what the agent needs in each namespace it manages. */}}
{{- define "outpost-agent.namespaceRules" -}}
{{ include "outpost-agent.workloadRules" . }}
# read only: a plan's preflight checks its workloads against the namespace's quota and default limits
- apiGroups: [""]
  resources: [resourcequotas, limitranges]
  verbs: [get, list]
{{- end -}}

{{/* agent/rbac/per-deployment.yaml, ClusterRole outpost-agent-deployer: bound only in namespaces the agent made. */}}
{{- define "outpost-agent.deployerRules" -}}
{{ include "outpost-agent.workloadRules" . }}
- apiGroups: ["networking.k8s.io"]
  resources: [networkpolicies]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [resourcequotas, limitranges]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [namespaces]
  verbs: [get, delete]
{{- end -}}

{{/* agent/rbac/per-deployment.yaml, ClusterRole outpost-agent-namespaces: cluster-wide, nothing more. */}}
{{- define "outpost-agent.perDeploymentClusterRules" -}}
- apiGroups: [""]
  resources: [namespaces]
  verbs: [create, get]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: [rolebindings]
  verbs: [create]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: [clusterroles]
  verbs: [bind]
  resourceNames: [outpost-agent-deployer]
{{- end -}}

{{/* agent/rbac/cluster-facts-clusterrole.yaml: read nodes and storage classes, nothing else. */}}
{{- define "outpost-agent.clusterFactsRules" -}}
- apiGroups: [""]
  resources: [nodes]
  verbs: [get, list]
- apiGroups: ["storage.k8s.io"]
  resources: [storageclasses]
  verbs: [get, list]
{{- end -}}
