"""The operators' console on the platform's root host (/console/): tenants with their status and
figures, lifecycle actions and the platform's audit log. Operators only, with the second factor
confirmed in this session. Nothing here reads a tenant's customer data: figures are counts."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.access import Role, has_role, page_access
from core.errors import ApplicationError
from tenants import policies, provisioning, selectors, services
from tenants.errors import TenantErrorCode
from tenants.forms import DeleteForm, DomainForm, ExportForm, SettingForm, SuspendForm
from tenants.models import Tenant
from tenants.presets import preset_choices
from tenants.tasks import tenant_export_task
from tenants.views import tenant_url_builder


def is_operator(user) -> bool:
    return has_role(user, Role.OPERATOR)


# The console: platform operators who confirmed the second factor.
operator_required = page_access(is_operator, second_factor=True)


def _tenant(pk: int) -> Tenant:
    return get_object_or_404(Tenant.objects.exclude(schema_name="public"), pk=pk)


def _done(request: HttpRequest, tenant: Tenant, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("console_tenant", pk=tenant.pk)


@operator_required
def console_home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").replace("\x00", "")[:100]  # PostgreSQL refuses NUL
    status = request.GET.get("status", "")
    if status not in Tenant.Status.values:
        status = ""
    rows = selectors.tenant_console_list(query=query, status=status)
    return render(
        request,
        "tenants/console/home.html",
        {"rows": rows, "query": query, "status": status, "statuses": Tenant.Status.choices},
    )


def _detail_context(tenant: Tenant, **forms) -> dict:
    (row,) = selectors.tenant_console_rows([tenant])
    signup = tenant.signups.order_by("-created_at").first()
    return {
        "t": tenant,
        "preset_label": dict(preset_choices()).get(tenant.preset, tenant.preset),
        "row": row,
        "signup": signup,
        "domains": list(tenant.domains.all()),
        "config_json": json.dumps(
            policies.dump(tenant.configuration), indent=2, ensure_ascii=False
        ),
        "events": selectors.platform_audit_log(tenant=tenant, limit=50),
        "exports": provisioning.tenant_exports(tenant=tenant),
        "domain_form": forms.get("domain_form") or DomainForm(),
        "setting_form": forms.get("setting_form") or SettingForm(),
        "delete_form": forms.get("delete_form") or DeleteForm(),
        "suspend_form": forms.get("suspend_form") or SuspendForm(),
        # its own ids: the suspension's form on the same page has a "reason" too
        "export_form": forms.get("export_form") or ExportForm(auto_id="id_export_%s"),
    }


@operator_required
def console_tenant(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _tenant(pk))


def _detail(request, tenant, *, status: int = 200, **forms) -> HttpResponse:
    return render(
        request, "tenants/console/tenant.html", _detail_context(tenant, **forms), status=status
    )


def _refused(request, tenant, exc: ApplicationError, **forms) -> HttpResponse:
    messages.error(request, exc.message)
    return _detail(request, tenant, status=exc.status, **forms)


@operator_required
@require_POST
def console_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = _tenant(pk)
    form = SuspendForm(request.POST)
    if not form.is_valid():
        return _detail(request, tenant, status=400, suspend_form=form)
    try:
        provisioning.tenant_suspend(
            tenant=tenant, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        return _refused(request, tenant, exc)
    return _done(request, tenant, _("The portal is suspended."))


@operator_required
@require_POST
def console_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = _tenant(pk)
    try:
        provisioning.tenant_reactivate(tenant=tenant, actor=request.user)
    except ApplicationError as exc:
        return _refused(request, tenant, exc)
    return _done(request, tenant, _("The portal is active again."))


@operator_required
@require_POST
def console_domain_add(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = _tenant(pk)
    form = DomainForm(request.POST)
    if not form.is_valid():
        return _detail(request, tenant, status=400, domain_form=form)
    try:
        provisioning.tenant_custom_domain_add(
            tenant=tenant, domain=form.cleaned_data["domain"], actor=request.user
        )
    except ApplicationError as exc:
        form.add_error("domain", exc.message)
        return _refused(request, tenant, exc, domain_form=form)
    return _done(request, tenant, _("The domain is added."))


@operator_required
@require_POST
def console_invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = _tenant(pk)
    try:
        sent = provisioning.tenant_invitation_resend(
            tenant=tenant, actor=request.user, base_url=tenant_url_builder(request)(tenant.slug)
        )
    except ApplicationError as exc:
        return _refused(request, tenant, exc)
    return _done(request, tenant, _("Invitations sent: %(count)s.") % {"count": sent})


@operator_required
@require_POST
def console_setting(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = _tenant(pk)
    form = SettingForm(request.POST)
    if not form.is_valid():
        return _detail(request, tenant, status=400, setting_form=form)
    try:
        changed = services.tenant_setting_set(
            tenant=tenant,
            key=form.cleaned_data["key"],
            value=form.cleaned_data["value"],
            actor=request.user,
        )
    except ApplicationError as exc:
        # Each problem names the setting it is about: a change can be refused for a neighbour
        # (a minimum above the maximum), and the operator must see which one and why.
        for path, problems in (exc.extra.get("fields") or {}).items():
            for problem in problems if isinstance(problems, list) else [problems]:
                form.add_error("value", f"{path}: {problem}")
        if not form.errors:
            form.add_error("key", exc.message)
        return _refused(request, tenant, exc, setting_form=form)
    return _done(request, tenant, _("The setting is saved.") if changed else _("Nothing changed."))


@operator_required
@require_POST
def console_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Start an export: only for a documented purpose, with a reason; the file is encrypted to
    the keys in EXPORT_RECIPIENTS (tenants.sealed_files) and its making and every download are
    in the platform's log."""
    tenant = _tenant(pk)
    form = ExportForm(request.POST, auto_id="id_export_%s")
    actor_name, _schema = services.actor_description(request.user)
    try:
        provisioning.tenant_export_request(
            tenant=tenant,
            actor=request.user,
            purpose=form.data.get("purpose", ""),
            reason=form.data.get("reason", ""),
        )
    except ApplicationError as exc:
        form.is_valid()
        for name, problems in (exc.extra.get("fields") or {}).items():
            for problem in problems:
                form.add_error(name, problem)
        return _refused(request, tenant, exc, export_form=form)
    try:
        result = tenant_export_task.delay(
            tenant_id=tenant.pk,
            actor=actor_name,
            purpose=form.data["purpose"],
            reason=form.data["reason"].strip(),
        )
    except Exception:  # noqa: BLE001 - the broker being down must not answer 500
        return _refused(
            request,
            tenant,
            ApplicationError(
                _("The export could not be started. Try again later."),
                code=TenantErrorCode.EXPORT_FAILED,
                status=503,
            ),
        )
    if result.ready() and result.failed():  # eager mode (development, tests) reports at once
        exc = result.result
        if not isinstance(exc, ApplicationError):
            exc = ApplicationError(
                _("The export failed; nothing was changed. Try again later."),
                code=TenantErrorCode.EXPORT_FAILED,
                status=503,
            )
        return _refused(request, tenant, exc)
    return _done(
        request,
        tenant,
        _("The export has started; the file appears in the list below when it is ready."),
    )


@operator_required
def console_export_download(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    tenant = _tenant(pk)
    match = provisioning.tenant_export_download(tenant=tenant, name=name, actor=request.user)
    if match is None:
        raise Http404
    return FileResponse(match.open("rb"), as_attachment=True, filename=match.name)


@operator_required
@require_POST
def console_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = _tenant(pk)
    form = DeleteForm(request.POST)
    confirmation = form.data.get("confirmation", "")
    try:
        provisioning.tenant_delete(tenant=tenant, confirmation=confirmation, actor=request.user)
    except ApplicationError as exc:
        form.is_valid()
        form.add_error("confirmation", exc.message)
        return _refused(request, tenant, exc, delete_form=form)
    messages.success(request, _("The portal %(slug)s is deleted.") % {"slug": tenant.slug})
    return redirect("console_home")


@operator_required
@require_GET
def console_retention(request: HttpRequest) -> HttpResponse:
    """What the nightly retention deleted across tenants (counts only: no one's data), and the
    tenants whose job reported nothing."""
    return render(request, "tenants/console/retention.html", selectors.retention_overview())


@operator_required
def console_audit(request: HttpRequest) -> HttpResponse:
    return render(
        request, "tenants/console/audit.html", {"events": selectors.platform_audit_log(limit=300)}
    )
