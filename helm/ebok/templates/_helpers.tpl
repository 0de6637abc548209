{{- define "ebok.labels" -}}
app.kubernetes.io/name: ebok
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "ebok.env" -}}
- name: DJANGO_SETTINGS_MODULE
  value: ebok.settings.production
- name: PLATFORM_DOMAIN
  value: {{ .Values.platformDomain | quote }}
- name: CELERY_BEAT_SCHEDULE_FILENAME
  value: /tmp/celerybeat-schedule
- name: MEDIA_ROOT
  value: /data/media
{{- range $name, $value := .Values.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}


{{- define "ebok.mediaClaim" -}}
{{- if .Values.media.persistence.existingClaim -}}
{{ .Values.media.persistence.existingClaim }}
{{- else -}}
{{ .Release.Name }}-media
{{- end -}}
{{- end -}}

{{- define "ebok.mediaVolume" -}}
{{- if .Values.media.persistence.enabled -}}
- name: media
  persistentVolumeClaim: {claimName: {{ include "ebok.mediaClaim" . }}}
{{- else -}}
- name: media
  emptyDir: {}
{{- end -}}
{{- end -}}
