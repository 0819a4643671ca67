{{/* Default deny for the service's pods, then what the spec's graph allows (values.networkPolicy, derived by
rosec): ingress from the gateway, from its callers and from Prometheus; egress to DNS, its datastores, the broker,
the identity provider and the services it calls. extraIngress/extraEgress add rules (e.g. an external API). */}}
{{- define "rose-lib.networkpolicy" -}}
{{- $np := .Values.networkPolicy -}}
{{- if $np.enabled -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  {{- include "rose-lib.metadata" . | nindent 2 }}
spec:
  podSelector:
    matchLabels:
      {{- include "rose-lib.podSelector" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    {{- range $np.ingress }}
    - from:
        {{- toYaml .from | nindent 8 }}
      ports:
        {{- range .ports }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
    {{- end }}
    {{- if $np.prometheus.enabled }}
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ $np.prometheus.namespace }}
          podSelector:
            matchLabels:
              {{- toYaml $np.prometheus.podLabels | nindent 14 }}
      ports:
        - port: {{ .Values.ports.http }}
          protocol: TCP
    {{- end }}
    {{- with $np.extraIngress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ $np.dns.namespace }}
          podSelector:
            matchLabels:
              {{- toYaml $np.dns.podLabels | nindent 14 }}
      ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    {{- range $np.egress }}
    - to:
        {{- toYaml .to | nindent 8 }}
      ports:
        {{- range .ports }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
    {{- end }}
    {{- with $np.extraEgress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}
{{- end -}}
