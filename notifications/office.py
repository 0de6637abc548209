"""The office's side of notices: what was sent to whom and whether it arrived, the dead letters
(sent again once their cause is fixed), one account's notices and choices, and the tenant
admin's SMS provider account (its token sealed, never shown again)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ApplicationError
from core.http import tenant_base_url
from core.outbox import services as outbox
from core.paging import keyset_page
from identity.models import User
from identity.permissions import staff_required
from identity.services import staff_access_record
from notifications import selectors, services
from notifications.models import SmsAccount
from tenants.policies import NotificationSettings

STATUSES = {
    "failed": gettext_lazy("Undelivered (dead letters)"),
    "pending": gettext_lazy("Waiting"),
    "sent": gettext_lazy("Sent"),
}


@staff_required("notifications.view")
@require_GET
def messages_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "failed")
    if status not in STATUSES:
        status = "failed"
    rows = selectors.notices().filter(status=status).order_by("-created_at", "-id")
    page = keyset_page(request, rows, 50)
    return render(
        request,
        "notifications/office/messages.html",
        {"page": page, "status": status, "statuses": STATUSES},
    )


@staff_required("notifications.view")
@require_GET
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(selectors.notices(), pk=pk)
    subject = User.objects.filter(pk=message.user_id).first() if message.user_id else None
    if subject is not None:
        staff_access_record(
            actor=request.user, field_group="notifications", purpose="notice", users=[subject]
        )
    return render(
        request,
        "notifications/office/message.html",
        {"message": message, "subject": subject},
    )


@staff_required("notifications.send")
@require_POST
def message_resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(selectors.notices(), pk=pk)
    if outbox.message_resend(message_id=message.pk):
        messages.success(request, _("The message will be sent again."))
    else:
        messages.info(request, _("Only an undelivered message can be sent again."))
    return redirect("notifications_office_message", pk=message.pk)


@staff_required("notifications.view")
@require_GET
def account_notices(request: HttpRequest, user_id: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=user_id, role__in=[User.Role.CUSTOMER, User.Role.MANAGER])
    staff_access_record(
        actor=request.user, field_group="notifications", purpose="notices", users=[subject]
    )
    page = keyset_page(request, selectors.messages_to(user_id=subject.pk), 50)
    return render(
        request,
        "notifications/office/account.html",
        {
            "subject": subject,
            "page": page,
            "choices": selectors.choices_for(user=subject),
            "digest": selectors.takes_digest(user=subject),
            "changes": selectors.changes_of(user=subject),
        },
    )


class SmsAccountForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("API token (OAuth)"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "From the SMSAPI panel (API tokens). Leave empty to keep the saved token."
        ),
    )
    base_url = forms.URLField(
        label=gettext_lazy("Provider address"),
        initial="https://api.smsapi.pl",
        max_length=200,
        assume_scheme="https",
    )
    test_mode = forms.BooleanField(
        label=gettext_lazy("Test mode (accepted by the provider, not delivered)"), required=False
    )
    enabled = forms.BooleanField(label=gettext_lazy("Send text messages"), required=False)


class NoticeSettingsForm(forms.Form):
    sms_offered = forms.BooleanField(label=gettext_lazy("Offer SMS to customers"), required=False)
    sms_sender = forms.CharField(
        label=gettext_lazy("Sender name (as registered with SMSAPI)"),
        max_length=11,
        required=False,
    )
    quiet_from_hour = forms.IntegerField(label=gettext_lazy("No SMS from (hour)"))
    quiet_to_hour = forms.IntegerField(label=gettext_lazy("No SMS until (hour)"))
    digest_hour = forms.IntegerField(label=gettext_lazy("The daily digest after (hour)"))
    due_reminder_days = forms.IntegerField(
        label=gettext_lazy("Remind of a payment this many days before it is due")
    )
    sms_max_parts = forms.IntegerField(label=gettext_lazy("Parts an SMS may take at most"))
    sms_plain_letters = forms.BooleanField(
        label=gettext_lazy("Write Polish letters plain in SMS (more text in one part)"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The bounds are the setting's own (tenants.policies): shown here, held by the
        # setting's validation, whose words the form shows.
        for name, (low, high) in NotificationSettings.LIMITS.items():
            if name in self.fields:
                self.fields[name].widget.attrs.update(min=low, max=high)


def _settings_initial(config) -> dict:
    return {
        "sms_offered": config.offers("sms"),
        **{
            name: getattr(config, name)
            for name in NoticeSettingsForm.base_fields
            if name != "sms_offered"
        },
    }


@staff_required("tenant.configure")
@require_http_methods(["GET", "POST"])
def sms_account(request: HttpRequest) -> HttpResponse:
    account = SmsAccount.objects.first()
    config = selectors.config().notifications
    settings_form = NoticeSettingsForm(initial=_settings_initial(config))
    if request.method == "POST" and request.POST.get("part") == "settings":
        settings_form = NoticeSettingsForm(request.POST)
        if settings_form.is_valid():
            try:
                changed = services.notification_settings_save(
                    tenant=request.tenant, actor=request.user, values=settings_form.cleaned_data
                )
            except ApplicationError as exc:
                for path, problems in (exc.extra.get("fields") or {}).items():
                    field = path.rsplit(".", 1)[-1]
                    for problem in problems if isinstance(problems, list) else [problems]:
                        settings_form.add_error(
                            field if field in settings_form.fields else None, problem
                        )
            else:
                messages.success(
                    request, _("The settings are saved.") if changed else _("Nothing changed.")
                )
                return redirect("notifications_office_sms")
        return _sms_page(
            request,
            SmsAccountForm(initial=_account_initial(account)),
            settings_form,
            account,
            status=400,
        )
    if request.method == "POST":
        form = SmsAccountForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.sms_account_save(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                for field, problems in (exc.extra.get("fields") or {}).items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
                if not exc.extra.get("fields"):
                    form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("The SMS account is saved."))
                return redirect("notifications_office_sms")
    else:
        status = 200
        form = SmsAccountForm(initial=_account_initial(account))
    return _sms_page(request, form, settings_form, account, status=status)


def _account_initial(account) -> dict | None:
    if account is None:
        return None
    return {
        "base_url": account.base_url,
        "enabled": account.enabled,
        "test_mode": account.test_mode,
    }


def _sms_page(request, form, settings_form, account, *, status: int) -> HttpResponse:
    config = selectors.config().notifications
    callback = (
        tenant_base_url() + reverse("api-notifications-sms-report", args=[account.callback_secret])
        if account
        else ""
    )
    return render(
        request,
        "notifications/office/sms.html",
        {
            "form": form,
            "settings_form": settings_form,
            "account": account,
            "callback": callback,
            "offered": config.offers("sms"),
            "sender": config.sms_sender,
            "quiet": (config.quiet_from_hour, config.quiet_to_hour),
        },
        status=status,
    )
