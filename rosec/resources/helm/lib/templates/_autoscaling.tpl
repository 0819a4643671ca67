{{/* HorizontalPodAutoscaler on CPU (when autoscaling is on, the Deployment has no replicas of its own), and a
PodDisruptionBudget that lets node drains evict one pod at a time. */}}
{{- define "rose-lib.hpa" -}}
{{- if .Values.autoscaling.enabled -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  {{- include "rose-lib.metadata" . | nindent 2 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .Chart.Name }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
{{- end -}}
{{- end -}}

{{- define "rose-lib.pdb" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicas) 0) -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "rose-lib.metadata" . | nindent 2 }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      {{- include "rose-lib.selectorLabels" . | nindent 6 }}
{{- end -}}
{{- end -}}
