{{/* External Secrets Operator: the service's own Secret from the environment's store, one remote key per secret
variable. Without a store the Secret is created by hand (the chart's NOTES list it). */}}
{{- define "rose-lib.externalsecret" -}}
{{- $es := .Values.externalSecret -}}
{{- if $es.enabled -}}
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: {{ $es.name }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "rose-lib.labels" . | nindent 4 }}
spec:
  refreshInterval: {{ $es.refreshInterval }}
  secretStoreRef:
    name: {{ $es.store.name }}
    kind: {{ $es.store.kind }}
  target:
    name: {{ $es.name }}
    creationPolicy: Owner
    deletionPolicy: Retain
  data:
    {{- range $es.data }}
    - secretKey: {{ .secretKey }}
      remoteRef:
        key: {{ .remoteKey }}
    {{- end }}
{{- end -}}
{{- end -}}
