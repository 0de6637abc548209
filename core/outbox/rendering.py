"""E-mail rendering with the tenant's branding and the recipient's language.

A template ``<name>`` is three files under ``templates/email/``: ``<name>.subject.txt``,
``<name>.txt`` and ``<name>.html``; all of them extend the branded base.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation

from core.colours import readable_text_on


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def branding_context() -> dict:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or not getattr(tenant, "config", None):
        return {"branding": None}
    branding = tenant.configuration.branding
    return {
        "branding": branding,
        "on_primary": readable_text_on(branding.primary_colour),
    }


def render_email(template: str, context: dict, *, language: str) -> RenderedEmail:
    with translation.override(language):
        ctx = {**branding_context(), **context, "language": language}
        subject = render_to_string(f"email/{template}.subject.txt", ctx)
        text = render_to_string(f"email/{template}.txt", ctx)
        html = render_to_string(f"email/{template}.html", ctx)
    return RenderedEmail(subject=" ".join(subject.split()), text=text.strip() + "\n", html=html)
