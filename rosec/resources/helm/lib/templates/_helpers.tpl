{{/* Names, labels and the image of a rose service; every resource of a service chart is named after the chart
(the service's host name, which its peers' variables use). */}}

{{- define "rose-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "rose-lib.labels" -}}
{{ include "rose-lib.selectorLabels" . }}
app.kubernetes.io/part-of: {{ .Values.global.system }}
app.kubernetes.io/component: service
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "rose-lib.metadata" -}}
name: {{ .Chart.Name }}
namespace: {{ .Release.Namespace }}
labels:
  {{- include "rose-lib.labels" . | nindent 2 }}
{{- end -}}

{{- define "rose-lib.image" -}}
{{- $registry := required "global.imageRegistry is required: the registry of the environment (values-<environment>.yaml)" .Values.global.imageRegistry -}}
{{- $tag := required "image.tag is required: the tag the build pushed, e.g. --set image.tag=$(git rev-parse --short HEAD)" .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{ printf "%s/%s@%s" $registry .Values.image.repository .Values.image.digest }}
{{- else -}}
{{ printf "%s/%s:%s" $registry .Values.image.repository $tag }}
{{- end -}}
{{- end -}}

{{/* The pods of the service, as NetworkPolicies and ServiceMonitors select them. */}}
{{- define "rose-lib.podSelector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/part-of: {{ .Values.global.system }}
{{- end -}}
