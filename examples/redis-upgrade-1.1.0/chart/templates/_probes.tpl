{{/*
Probes of the redis container. 1.1.0: readiness runs readiness.sh from the ConfigMap (a replica is
ready only once it follows the primary), every 10 s. The password comes from the environment, so it
never appears in the pod spec. (kwok nodes do not run probes; a real kubelet does.)
*/}}
{{- define "redis.probes" -}}
livenessProbe:
  exec:
    command: ["sh", "-c", "redis-cli -a \"$REDIS_PASSWORD\" --no-auth-warning ping"]
  initialDelaySeconds: 20
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 5
readinessProbe:
  exec:
    command: ["sh", "/etc/redis/readiness.sh"]
  initialDelaySeconds: 5
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
{{- end -}}
