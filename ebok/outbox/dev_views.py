"""Development only (DEBUG): the mail this tenant has sent, read from its outbox."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from ebok.outbox.models import Message


def _require_debug():
    from django.conf import settings

    if not settings.DEBUG:
        raise Http404


def mail_list(request):
    _require_debug()
    return render(
        request, "outbox/dev_mail_list.html", {"messages_sent": Message.objects.all()[:200]}
    )


def mail_detail(request, pk: int):
    _require_debug()
    return render(
        request, "outbox/dev_mail_detail.html", {"message": get_object_or_404(Message, pk=pk)}
    )


def mail_html(request, pk: int):
    _require_debug()
    message = get_object_or_404(Message, pk=pk)
    response = HttpResponse(message.body_html or "", content_type="text/html; charset=utf-8")
    # The message's HTML has inline styles (e-mail clients need them); it is shown sandboxed.
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
    )
    return response
