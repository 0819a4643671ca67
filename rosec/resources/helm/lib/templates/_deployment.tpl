{{/* The service's Deployment, under the restricted Pod Security Standard: non-root as the image's user, read-only
root filesystem (an emptyDir for /tmp, a claim per file volume), no capabilities, RuntimeDefault seccomp, no
service-account token. The config's checksum rolls the pods when a variable changes. */}}
{{- define "rose-lib.deployment" -}}
{{- $uid := int .Values.securityContext.uid -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  {{- include "rose-lib.metadata" . | nindent 2 }}
  {{- if not .Values.image.digest }}
  annotations:
    checkov.io/skip1: CKV_K8S_43=The image is pinned by an immutable tag of the build (set image.digest to pin the digest)
    checkov.io/skip2: CKV_K8S_35=The runtime reads its secrets from environment variables (secretKeyRef), as in every hosting
  {{- else }}
  annotations:
    checkov.io/skip1: CKV_K8S_35=The runtime reads its secrets from environment variables (secretKeyRef), as in every hosting
  {{- end }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "rose-lib.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        {{- include "rose-lib.labels" . | nindent 8 }}
      annotations:
        checksum/config: {{ include "rose-lib.configmap" . | sha256sum }}
    spec:
      serviceAccountName: {{ .Chart.Name }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
      securityContext:
        runAsNonRoot: true
        runAsUser: {{ $uid }}
        runAsGroup: {{ $uid }}
        fsGroup: {{ $uid }}
        seccompProfile:
          type: RuntimeDefault
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "rose-lib.selectorLabels" . | nindent 14 }}
          matchLabelKeys:
            - pod-template-hash
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "rose-lib.selectorLabels" . | nindent 14 }}
          matchLabelKeys:
            - pod-template-hash
      containers:
        - name: {{ .Chart.Name }}
          image: {{ include "rose-lib.image" . }}
          imagePullPolicy: Always
          ports:
            - name: http
              containerPort: {{ .Values.ports.http }}
              protocol: TCP
            {{- if .Values.ports.grpc }}
            - name: grpc
              containerPort: {{ .Values.ports.grpc }}
              protocol: TCP
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ .Chart.Name }}
          {{- with .Values.secretEnv }}
          env:
            {{- range . }}
            - name: {{ .name }}
              valueFrom:
                secretKeyRef:
                  name: {{ .secret }}
                  key: {{ .key }}
                  {{- if .optional }}
                  optional: true
                  {{- end }}
            {{- end }}
          {{- end }}
          resources:
            requests:
              cpu: {{ .Values.resources.cpu | quote }}
              memory: {{ .Values.resources.memory | quote }}
            limits:
              cpu: {{ .Values.resources.cpu | quote }}
              memory: {{ .Values.resources.memory | quote }}
          {{- include "rose-lib.probes" . | nindent 10 }}
          securityContext:
            runAsNonRoot: true
            runAsUser: {{ $uid }}
            runAsGroup: {{ $uid }}
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            privileged: false
            capabilities:
              drop:
                - ALL
            seccompProfile:
              type: RuntimeDefault
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- range .Values.volumes }}
            - name: {{ .name }}
              mountPath: {{ .mountPath }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ .Values.tmpSizeLimit }}
        {{- range .Values.volumes }}
        - name: {{ .name }}
          persistentVolumeClaim:
            claimName: {{ .claim }}
        {{- end }}
{{- end -}}

{{/* Startup, readiness and liveness on the runtime's endpoints: /healthz (the process serves), /readyz (its
broker and databases answer); a service with gRPC and no REST API is probed over grpc.health.v1 natively. */}}
{{- define "rose-lib.probes" -}}
{{- $p := .Values.probes -}}
{{- $live := dict "httpGet" (dict "path" $p.livenessPath "port" "http") -}}
{{- if $p.grpc -}}
{{- $live = dict "grpc" (dict "port" (int .Values.ports.grpc)) -}}
{{- end -}}
startupProbe:
  {{- toYaml $live | nindent 2 }}
  periodSeconds: 2
  timeoutSeconds: {{ $p.timeoutSeconds }}
  failureThreshold: {{ $p.startupFailureThreshold }}
livenessProbe:
  {{- toYaml $live | nindent 2 }}
  periodSeconds: {{ $p.periodSeconds }}
  timeoutSeconds: {{ $p.timeoutSeconds }}
  failureThreshold: {{ $p.failureThreshold }}
readinessProbe:
  httpGet:
    path: {{ $p.readinessPath }}
    port: http
  periodSeconds: {{ $p.periodSeconds }}
  timeoutSeconds: {{ $p.timeoutSeconds }}
  failureThreshold: {{ $p.failureThreshold }}
{{- end -}}
