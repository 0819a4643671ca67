{{- define "rose-lib.serviceaccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  {{- include "rose-lib.metadata" . | nindent 2 }}
automountServiceAccountToken: false
{{- end -}}
