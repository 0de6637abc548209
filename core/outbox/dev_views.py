"""Development only (DEBUG): the mail this tenant has sent, read from its outbox.

The outbox holds one-time passwords and set-password links, so even on a development machine
it is shown only to a browser on that machine (a direct loopback request, not one relayed by a
proxy) or to a verified staff member of the tenant (an operator, on the platform's host).
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from core.access import Role
from core.outbox.models import Message

_LOOPBACK = ("127.0.0.1", "::1")


def _may_read_mail(request) -> bool:
    if request.META.get("REMOTE_ADDR") in _LOOPBACK and not request.META.get(
        "HTTP_X_FORWARDED_FOR"
    ):
        return True
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return False
    return user.is_tenant_staff or user.role == Role.OPERATOR


def _require_debug(request):
    if not settings.DEBUG or not _may_read_mail(request):
        raise Http404


def mail_list(request):
    _require_debug(request)
    return render(
        request, "outbox/dev_mail_list.html", {"messages_sent": Message.objects.all()[:200]}
    )


def mail_detail(request, pk: int):
    _require_debug(request)
    return render(
        request, "outbox/dev_mail_detail.html", {"message": get_object_or_404(Message, pk=pk)}
    )


def mail_html(request, pk: int):
    _require_debug(request)
    message = get_object_or_404(Message, pk=pk)
    response = HttpResponse(message.body_html or "", content_type="text/html; charset=utf-8")
    # The message's HTML has inline styles (e-mail clients need them); it is shown sandboxed.
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
    )
    return response
