"""E-mail rendering with the tenant's branding and the recipient's language.

A template ``<name>`` is either three files under ``templates/email/`` (``<name>.subject.txt``,
``<name>.txt`` and ``<name>.html``, each extending the branded base), or one message under
``templates/email/messages/<name>.txt`` that fills the blocks ``title``, ``text`` and
``link_label`` of the notice layout: it is rendered three times, extending the subject, the text
and the HTML layout in turn (``{% extends layout %}``), so each message is written once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation

from core.colours import readable_text_on


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def branding_context() -> dict:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or not getattr(tenant, "has_configuration", False):
        return {"branding": None}
    branding = tenant.configuration.branding
    return {
        "branding": branding,
        "on_primary": readable_text_on(branding.primary_colour),
    }


LAYOUTS = ("email/notice.subject.txt", "email/notice.txt", "email/notice.html")


def render_email(template: str, context: dict, *, language: str) -> RenderedEmail:
    with translation.override(language):
        ctx = {**branding_context(), **context, "language": language}
        message = f"email/messages/{template}.txt"
        try:
            get_template(message)
        except TemplateDoesNotExist:
            parts = [f"email/{template}.{kind}" for kind in ("subject.txt", "txt", "html")]
            subject, text, html = (render_to_string(part, ctx) for part in parts)
        else:
            subject, text, html = (
                render_to_string(message, {**ctx, "layout": layout}) for layout in LAYOUTS
            )
    return RenderedEmail(subject=" ".join(subject.split()), text=text.strip() + "\n", html=html)
