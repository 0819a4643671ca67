{{/* Prometheus Operator: Prometheus scrapes /metrics on the HTTP port with the labels of rosec's scrape model
(job, service, system, environment), so that the generated rules and dashboards apply. Off unless the
environment turns monitoring on: the CRD must exist (no auto-detection, which `helm template` would defeat). */}}
{{- define "rose-lib.servicemonitor" -}}
{{- if .Values.monitoring.enabled -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  {{- include "rose-lib.metadata" . | nindent 2 }}
spec:
  selector:
    matchLabels:
      {{- include "rose-lib.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: http
      path: {{ .Values.monitoring.path }}
      interval: {{ .Values.monitoring.interval }}
      honorLabels: true
      relabelings:
        {{- range $label, $value := .Values.monitoring.labels }}
        - action: replace
          targetLabel: {{ $label }}
          replacement: {{ $value | quote }}
        {{- end }}
{{- end -}}
{{- end -}}
