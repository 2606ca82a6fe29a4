{{/*
Checks across values, each failing with what to change. Included from the Deployment, so every
render runs them.
*/}}
{{- define "outpost-hub.validate" -}}
{{- $replicas := int .Values.replicas -}}
{{- if and (gt $replicas 1) (not .Values.database.url) -}}
{{- fail (printf "replicas: %d needs PostgreSQL: the embedded H2 database belongs to one hub process, so more replicas would each keep their own data. Set database.url (jdbc:postgresql://...) or replicas: 1" $replicas) -}}
{{- end -}}
{{- if and (gt $replicas 1) (not .Values.ca.existingSecret) -}}
{{- fail (printf "replicas: %d needs ca.existingSecret: every replica must sign with the same CA, which agents pin; without it each would make its own" $replicas) -}}
{{- end -}}
{{- if and (gt $replicas 1) .Values.persistence.enabled -}}
{{- fail (printf "replicas: %d needs persistence.enabled: false: with PostgreSQL and ca.existingSecret the hub keeps nothing on disk that must last, and one ReadWriteOnce claim cannot serve several pods" $replicas) -}}
{{- end -}}
{{- if and (not .Values.database.url) (not .Values.persistence.enabled) -}}
{{- fail "persistence.enabled: false would keep the embedded H2 database in an emptyDir and lose every tenant, release and agent when the pod goes. Keep persistence, or set database.url" -}}
{{- end -}}
{{- if and (not .Values.persistence.enabled) (not .Values.ca.existingSecret) -}}
{{- fail "persistence.enabled: false needs ca.existingSecret: otherwise the hub makes a new CA at every start and every enrolled agent stops trusting it" -}}
{{- end -}}
{{- if and .Values.database.url (not (hasPrefix "jdbc:postgresql://" .Values.database.url)) -}}
{{- fail (printf "database.url must be a PostgreSQL JDBC URL (jdbc:postgresql://HOST:PORT/DB), got %q" .Values.database.url) -}}
{{- end -}}
{{- if and .Values.ingress.enabled (not .Values.ingress.host) -}}
{{- fail "ingress.host is required with ingress.enabled: the REST API's public host name" -}}
{{- end -}}
{{- end -}}
