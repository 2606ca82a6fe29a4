{{/*
What the primary's and the replicas' pods share. Usage:
{{ include "redis.pod" (dict "component" "master" "values" .Values.master "replicaOf" "" "context" $) }}
replicaOf is the primary's host for a replica, empty for the primary.
*/}}
{{- define "redis.pod" -}}
{{- $ctx := .context -}}
metadata:
  labels: {{- include "outpost-common.labels.standard" (dict "component" .component "context" $ctx) | nindent 4 }}
  annotations:
    # Restart the pods when redis.conf or the password changes (Redis reads both at start).
    checksum/config: {{ include (print $ctx.Template.BasePath "/configmap.yaml") $ctx | sha256sum }}
    checksum/secret: {{ include (print $ctx.Template.BasePath "/secret.yaml") $ctx | sha256sum }}
    {{- with .values.podAnnotations }}
    {{- include "outpost-common.tplvalues.render" (dict "value" . "context" $ctx) | nindent 4 }}
    {{- end }}
spec:
  terminationGracePeriodSeconds: {{ .values.terminationGracePeriodSeconds }}
  securityContext:
    runAsUser: 999
    runAsGroup: 999
    fsGroup: 999
    runAsNonRoot: true
  {{- with .values.nodeSelector }}
  nodeSelector: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .values.tolerations }}
  tolerations: {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: redis
      image: {{ include "outpost-common.images.image" (dict "image" $ctx.Values.image "global" $ctx.Values.global) | quote }}
      imagePullPolicy: {{ include "outpost-common.images.pullPolicy" (dict "image" $ctx.Values.image) }}
      command: ["redis-server"]
      args:
        - /etc/redis/redis.conf
        - --requirepass
        - $(REDIS_PASSWORD)
        - --masterauth
        - $(REDIS_PASSWORD)
        {{- if .replicaOf }}
        - --replicaof
        - {{ .replicaOf }}
        - {{ $ctx.Values.master.service.port | quote }}
        {{- end }}
      env:
        - name: REDIS_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ include "redis.secretName" $ctx }}
              key: redis-password
      ports:
        - name: redis
          containerPort: {{ $ctx.Values.master.service.port }}
      {{- include "redis.probes" $ctx | nindent 6 }}
      resources: {{- toYaml .values.resources | nindent 8 }}
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
      volumeMounts:
        - name: config
          mountPath: /etc/redis
        - name: data
          mountPath: /data
    {{- if $ctx.Values.metrics.enabled }}
    - name: metrics
      image: {{ include "outpost-common.images.image" (dict "image" $ctx.Values.metrics.image "global" $ctx.Values.global) | quote }}
      imagePullPolicy: {{ include "outpost-common.images.pullPolicy" (dict "image" $ctx.Values.metrics.image) }}
      env:
        - name: REDIS_ADDR
          value: {{ printf "redis://localhost:%v" $ctx.Values.master.service.port | quote }}
        - name: REDIS_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ include "redis.secretName" $ctx }}
              key: redis-password
      ports:
        - name: metrics
          containerPort: {{ $ctx.Values.metrics.port }}
      resources: {{- toYaml $ctx.Values.metrics.resources | nindent 8 }}
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
    {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "redis.config.fullname" $ctx }}
    {{- if not .values.persistence.enabled }}
    - name: data
      emptyDir: {}
    {{- end }}
{{- end -}}
