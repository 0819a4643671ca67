{{/* The service's plain variables (values.config); secrets never: they are referenced from Secrets. */}}
{{- define "rose-lib.configmap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  {{- include "rose-lib.metadata" . | nindent 2 }}
data:
  {{- range $name, $value := .Values.config }}
  {{ $name }}: {{ $value | toString | quote }}
  {{- end }}
{{- end -}}
