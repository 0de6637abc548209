"""What the gateway simulators share beyond the core's simulator server (core.simulators): the
payment page a customer is sent to."""

from __future__ import annotations

import html

from core.simulators import Exchange, ProtocolSimulator, Server

__all__ = ["Exchange", "GatewaySimulator", "Server", "payment_page"]


class GatewaySimulator(ProtocolSimulator):
    """One gateway's protocol."""


def payment_page(
    exchange: Exchange, gateway: str, description: str, amount: int, currency: str, action
):
    """The gateway's payment page: what is paid and the three buttons, each a form posting
    to ``action(verb)``."""
    buttons = "".join(
        f'<form method="post" action="{html.escape(action(verb))}">'
        f'<button type="submit">{label}</button></form>'
        for verb, label in (("pay", "Zapłać"), ("refuse", "Odmów"), ("abandon", "Porzuć"))
    )
    page = (
        '<!doctype html><html lang="pl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{gateway} (symulator)</title></head><body><main>"
        f"<h1>{gateway} (symulator)</h1><p>{html.escape(description)}</p>"
        f"<p>Kwota: <strong>{amount // 100},{amount % 100:02d} {html.escape(currency)}"
        f"</strong></p>{buttons}</main></body></html>"
    ).encode()
    exchange.send(200, page, "text/html; charset=utf-8")
