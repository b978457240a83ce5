{{/* Names. fullname is the release name, with the chart's name appended unless already in it. */}}
{{- define "stampede.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "stampede.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* The operator's objects: Deployment, Service, ServiceAccount, RBAC. */}}
{{- define "stampede.operatorName" -}}
{{- printf "%s-operator" (include "stampede.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "stampede.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: stampede
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The operator's own objects (Deployment, pods, Service) also carry its name. */}}
{{- define "stampede.operatorLabels" -}}
{{ include "stampede.labels" . }}
app.kubernetes.io/name: stampede-operator
{{- end }}

{{/* Selects the operator pods; app.kubernetes.io/name=stampede-runner is left to runner pods. */}}
{{- define "stampede.selectorLabels" -}}
app.kubernetes.io/name: stampede-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "stampede.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "stampede.operatorName" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "stampede.operatorImage" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "stampede.runnerImage" -}}
{{- printf "%s:%s" .Values.runner.image.repository (default .Chart.AppVersion .Values.runner.image.tag) }}
{{- end }}

{{/* Leader election: asked for, or needed because more than one replica runs. */}}
{{- define "stampede.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{- define "stampede.leaseName" -}}
{{- include "stampede.operatorName" . }}
{{- end }}

{{/* The namespaces the operator watches, as a list: operator.watchNamespaces, or with
     rbac.namespaced and none listed, the release's namespace. Empty: all namespaces. */}}
{{- define "stampede.watchNamespaces" -}}
{{- $namespaces := .Values.operator.watchNamespaces }}
{{- if and .Values.rbac.namespaced (empty $namespaces) }}
{{- $namespaces = list .Release.Namespace }}
{{- end }}
{{- toJson $namespaces }}
{{- end }}

{{- define "stampede.tokenKeySecret" -}}
{{- default (printf "%s-token-key" (include "stampede.fullname" .)) .Values.operator.tokenKey.existingSecret }}
{{- end }}
