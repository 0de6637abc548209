"""The customer's page of notices (which event by which channel, the daily digest, the history
of changes) and the unsubscribe link of optional e-mails (a page with one button; mail clients'
one-click POST, RFC 8058)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.access import PORTAL_ROLES, has_role, page_access
from core.errors import ApplicationError
from notifications import selectors, services, sms
from notifications.models import Preference, PreferenceChange

portal_user = page_access(lambda user: has_role(user, *PORTAL_ROLES))


def _page(request: HttpRequest, *, status: int = 200, problem: ApplicationError | None = None):
    config = selectors.config()
    choices = selectors.choices_for(user=request.user, tenant_config=config)
    groups: dict[str, list] = {}
    for choice in choices:
        groups.setdefault(str(choice.event.group), []).append(choice)
    return render(
        request,
        "notifications/preferences.html",
        {
            "groups": groups,
            "sms_offered": selectors.sms_offered(config),
            "has_phone": bool(sms.number_of(request.user.phone)),
            "digest": selectors.takes_digest(user=request.user),
            "digest_hour": config.notifications.digest_hour,
            "changes": selectors.changes_of(user=request.user, limit=10),
            "problem": problem,
        },
        status=status,
    )


@portal_user
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    config = selectors.config()
    # The SMS boxes are there (and sent) only when the account has a mobile number: a page
    # without them leaves each event's SMS choice as it was.
    sms_ready = selectors.sms_offered(config) and bool(sms.number_of(request.user.phone))
    choices = {
        event.code: {
            **({} if event.mandatory else {"email": f"{event.code}:email" in request.POST}),
            **({"sms": f"{event.code}:sms" in request.POST} if sms_ready else {}),
        }
        for event in selectors.customer_events(config)
    }
    try:
        changed = services.preferences_set(
            user=request.user,
            choices=choices,
            digest="digest" in request.POST,
            actor=request.user,
            via=PreferenceChange.Via.PORTAL,
        )
    except ApplicationError as exc:
        return _page(request, status=exc.status, problem=exc)
    messages.success(request, _("Your choices are saved.") if changed else _("Nothing changed."))
    return redirect("notifications_preferences")


@csrf_exempt  # the signed link is the credential; mail clients post without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, spec = services.unsubscribe_target(token)
        if request.method == "POST":
            services.unsubscribe(token=token)
            done = True
        else:  # a GET never changes anything; followed again, it says it is done already
            done = Preference.objects.filter(user=user, event=spec.code, email=False).exists()
    except ApplicationError as exc:
        return render(
            request, "notifications/unsubscribed.html", {"problem": exc}, status=exc.status
        )
    return render(request, "notifications/unsubscribed.html", {"event": spec, "done": done})
