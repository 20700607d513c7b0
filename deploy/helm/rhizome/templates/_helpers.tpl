{{/* Names and labels shared by every template. */}}
{{- define "rhizome.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "rhizome.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "rhizome.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "rhizome.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rhizome.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "rhizome.labels" -}}
helm.sh/chart: {{ include "rhizome.chart" . }}
{{ include "rhizome.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: rhizome
{{- end -}}

{{/* Labels of one role's pods: `component` selects them; `database-client` lets them reach PostgreSQL. */}}
{{- define "rhizome.roleSelectorLabels" -}}
{{ include "rhizome.selectorLabels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "rhizome.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "rhizome.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "rhizome.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "rhizome.secretName" -}}
{{- default (printf "%s-env" (include "rhizome.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "rhizome.postgresqlSecretName" -}}
{{- default (printf "%s-postgresql" (include "rhizome.fullname" .)) .Values.postgresql.existingSecret -}}
{{- end -}}

{{- define "rhizome.postgresqlHost" -}}
{{- printf "%s-postgresql" (include "rhizome.fullname" .) -}}
{{- end -}}

{{/*
Environment of every role and of the migrations Job: the ConfigMap, the Secret, and, with the
bundled PostgreSQL, DATABASE_URL assembled from its password Secret.
*/}}
{{- define "rhizome.envFrom" -}}
- configMapRef:
    name: {{ include "rhizome.fullname" . }}-config
{{- if or .Values.secrets.create .Values.secrets.existingSecret }}
- secretRef:
    name: {{ include "rhizome.secretName" . }}
{{- end }}
{{- end -}}

{{- define "rhizome.databaseEnv" -}}
{{- if .Values.postgresql.enabled }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "rhizome.postgresqlSecretName" . }}
      key: database-url
{{- end }}
{{- end -}}

{{- define "rhizome.enabledRoles" -}}
{{- $roles := list -}}
{{- range $name, $role := .Values.roles -}}
{{- if $role.enabled -}}{{- $roles = append $roles $name -}}{{- end -}}
{{- end -}}
{{- join "," $roles -}}
{{- end -}}
