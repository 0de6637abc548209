"""The customer's summary page and the tenant's home page: every link leads somewhere the tenant
offers, and the monthly chart's geometry holds together (#12 items 4 and 5)."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection

from billing.importing import import_text
from core import portal
from tenants.services import tenant_setting_set

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
SVG = "{http://www.w3.org/2000/svg}"


def _modules(tenants, capture, modules):
    with capture(execute=True):
        tenant_setting_set(tenant=tenants.a, key="modules", actor="t", value=modules)
    connection.set_tenant(tenants.a)


def _overdue_invoice() -> None:
    import_text(
        "invoices",
        "erp_id;number;customer_erp_id;issue_date;due_date;gross\nF9;FV/9/2026;K1;2026-01-02;"
        "2026-01-12;80.00\n",
    )


def _links(page: str) -> list[str]:
    return sorted(set(re.findall(r'href="(/[^"]*)"', page)) - {"/static/"})


def test_dashboard_links_nothing_the_tenant_does_not_offer(
    client, ledger, tenants, django_capture_on_commit_callbacks
):
    """Balance confirmation and invoices off: "4 invoices are overdue" and "Confirm your
    balance" linked to pages that answer 403."""
    _modules(tenants, django_capture_on_commit_callbacks, ["charges", "payments_received"])
    _overdue_invoice()
    client.force_login(ledger["owner"])
    client.post("/account/terms/", {}, HTTP_HOST=HOST)
    page = client.get("/", HTTP_HOST=HOST).content.decode()
    assert "po terminie" in page  # the fact is still told, without a link to a closed page
    assert "Potwierdź saldo" not in page
    assert "/invoices/" not in page
    assert "/balance-confirmation/" not in page
    for link in _links(page):
        if link.startswith("/static/") or link.startswith("/branding/"):
            continue
        status = client.get(link, HTTP_HOST=HOST).status_code
        assert status == 200, (link, status)


def test_overdue_invoices_link_to_the_invoices_where_offered(
    client, ledger, tenants, django_capture_on_commit_callbacks
):
    _modules(tenants, django_capture_on_commit_callbacks, ["charges", "invoices"])
    _overdue_invoice()
    client.force_login(ledger["owner"])
    page = client.get("/", HTTP_HOST=HOST).content.decode()
    assert re.search(r'<a href="/invoices/">1 faktura jest po terminie</a>', page)


def test_home_page_advertises_only_modules_with_pages(
    client, tenants, django_capture_on_commit_callbacks
):
    """A tenant whose settings name online payments without a merchant account (not ready) must
    not list them to visitors; meters and readings (one page), complaints and failure reports
    (one page) are listed once each."""
    offered = ["charges", "meters", "readings", "online_payments", "tickets", "failure_reports"]
    _modules(tenants, django_capture_on_commit_callbacks, offered)
    page = client.get("/", HTTP_HOST=HOST).content.decode()
    cards = re.findall(r'<li class="card module-card">(.*?)</li>', page, re.S)
    pages = {url for m in offered if (url := portal.module_url(m))}
    assert len(cards) == len(pages) == 3
    for word in ("Odczyty", "Płatności online", "Zgłoszenia awarii"):
        assert word not in page


def test_monthly_chart_geometry_holds_together(client, ledger):
    """#12 item 5: the viewBox lacked its height and the month labels their x and y."""
    client.force_login(ledger["owner"])
    page = client.get("/", HTTP_HOST=HOST).content.decode()
    chart = re.search(r"<svg class=\"bar-chart\".*?</svg>", page, re.S).group(0)
    svg = ET.fromstring(chart)  # noqa: S314 - our own page, rendered in this test
    box = svg.get("viewBox").split()
    assert len(box) == 4
    left, top, width, height = (float(v) for v in box)
    rects = svg.findall("rect") + svg.findall(f"{SVG}rect")
    labels = svg.findall("text") + svg.findall(f"{SVG}text")
    assert rects
    assert len(labels) == len(rects)
    for rect, label in zip(rects, labels, strict=True):
        x, y = float(rect.get("x")), float(rect.get("y"))
        w, h = float(rect.get("width")), float(rect.get("height"))
        assert left <= x
        assert x + w <= left + width
        assert top <= y
        assert y + h <= top + height
        lx, ly = float(label.get("x")), float(label.get("y"))
        assert x <= lx <= x + w  # under its own bar
        assert y + h < ly <= top + height  # below the bar, inside the picture
    xs = [float(r.get("x")) for r in rects]
    assert xs == sorted(xs)
    assert len(set(xs)) == len(xs)
