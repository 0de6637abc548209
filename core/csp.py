"""The Content-Security-Policy of every page (no inline scripts or styles; forms post to the
portal itself), and the one widening a page may ask for."""

from __future__ import annotations

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)


def csp_with_form_action(origin: str) -> str:
    """The policy of a page whose form's answer leads to ``origin`` (a payment gateway's page:
    browsers check a form's redirect against ``form-action`` too)."""
    return CSP.replace("form-action 'self'", f"form-action 'self' {origin}")
