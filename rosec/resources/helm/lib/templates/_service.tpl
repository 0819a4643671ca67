{{- define "rose-lib.service" -}}
apiVersion: v1
kind: Service
metadata:
  {{- include "rose-lib.metadata" . | nindent 2 }}
spec:
  type: ClusterIP
  selector:
    {{- include "rose-lib.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.ports.http }}
      targetPort: http
      protocol: TCP
    {{- if .Values.ports.grpc }}
    - name: grpc
      port: {{ .Values.ports.grpc }}
      targetPort: grpc
      protocol: TCP
      appProtocol: kubernetes.io/h2c
    {{- end }}
{{- end -}}
