"""Where the gateway sends the customer back: what is known of the payment. Never "paid" from
the return alone: only the gateway's verified notification books it."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from billing.views import portal_page, request_focus
from payments import selectors
from tenants.policies import Module


@portal_page(Module.ONLINE_PAYMENTS)
def payment_return(request, public_id):
    payment = selectors.payment_get(
        actor=request.user, public_id=public_id, focus=request_focus(request)
    )
    if payment is None:
        raise Http404
    return render(request, "payments/return.html", {"payment": payment})
