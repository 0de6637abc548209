"""Back-office: upload an ERP file (CSV or XLSX) and follow the import job."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from billing import services
from billing.importing import (
    ENTITIES,
    ENTITY_LABELS,
    UnreadableFile,
    check_readable,
    decode_text,
    docs,
    entity_label,
    stored_text,
    xlsx_to_csv,
)
from billing.models import ImportJob
from core.errors import ApplicationError
from identity.permissions import staff_required


class ImportForm(forms.Form):
    entity = forms.ChoiceField(
        label=_("What the file holds"), choices=[(e, ENTITY_LABELS.get(e, e)) for e in ENTITIES]
    )
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    encoding = forms.ChoiceField(
        label=_("Encoding of the file"),
        choices=[
            ("auto", _("Recognise it (UTF-8, Windows-1250 or CP852)")),
            ("utf-8", "UTF-8"),
            ("windows-1250", "Windows-1250"),
            ("cp852", "CP852 (DOS)"),
            ("iso-8859-2", "ISO-8859-2"),
        ],
        initial="auto",
        required=False,
    )
    dry_run = forms.BooleanField(
        label=_("Only check: show what would change, write nothing"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > services.MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 100 MB)."))
        data = upload.read()
        try:
            if upload.name.lower().endswith(".xlsx"):
                return xlsx_to_csv(data)
            text = decode_text(data, self.data.get("encoding") or "auto")
            check_readable(text)
            return text
        except (UnicodeDecodeError, KeyError) as exc:
            raise forms.ValidationError(
                _("The file is not text in UTF-8, Windows-1250 or CP852.")
            ) from exc
        except UnreadableFile as exc:
            raise forms.ValidationError(exc.message) from exc


@staff_required("import.run")
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                entity=form.cleaned_data["entity"],
                payload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("office_import_job", pk=job.pk)
    jobs = list(ImportJob.objects.defer("payload")[:20])
    for job in jobs:
        job.entity_label = entity_label(job.entity)
    return render(
        request,
        "billing/office/import.html",
        {"form": form, "jobs": jobs},
        status=400 if form.errors else 200,
    )


@staff_required("import.run")
def import_job(request, pk: int):
    job = get_object_or_404(ImportJob.objects.defer("payload"), pk=pk)
    # Row errors in the reader's language, whoever uploaded the file.
    errors = [{**e, "shown": stored_text(e)} for e in job.errors]
    return render(
        request,
        "billing/office/import_job.html",
        {
            "job": job,
            "entity": entity_label(job.entity),
            "errors": errors,
            "percent": job.percent,
            "running": job.running,
        },
    )


@staff_required("import.run")
def import_job_status(request, pk: int):
    job = get_object_or_404(ImportJob.objects.defer("payload", "errors"), pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "percent": job.percent,
            "processed_rows": job.processed_rows,
            "total_rows": job.total_rows,
            "running": job.running,
        }
    )


@staff_required("import.run")
def import_help(request):
    """Every entity's columns and formats, with a sample file each."""
    return render(request, "billing/office/import_help.html", {"entities": docs.entities()})


@staff_required("import.run")
def import_sample(request, entity: str):
    if entity not in ENTITIES:
        raise Http404
    response = HttpResponse(
        "\ufeff" + docs.sample_csv(entity), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{entity}.csv"'
    return response
