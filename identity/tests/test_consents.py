"""Consents with versions (art. 7 GDPR, SECURITY.md G1): a consent given under text v3 and
privacy notice v5 and then withdrawn shows both in the history with their versions and times;
withdrawing takes one step, as giving does; a purpose the organisation does not ask for cannot
be given; the API does the same with the channel ``api``; staff see the history on the
customer's card; another tenant's rows with the same ids never show."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client

from core.errors import ApplicationError
from identity import selectors, services
from identity.models import ConsentRecord, Document
from identity.services import document_publish, user_create

pytestmark = pytest.mark.django_db
A, B = "alpha.localhost", "beta.localhost"


def _texts(marketing: int = 3, notice: int = 5) -> Document:
    """``marketing`` versions of the consent's wording and ``notice`` of the privacy notice."""
    for number in range(1, notice + 1):
        document_publish(kind="privacy_notice", title=f"Klauzula v{number}", body="Administrator")
    text = None
    for number in range(1, marketing + 1):
        text = document_publish(
            kind="marketing_consent", title="Zgoda marketingowa", body=f"Treść zgody nr {number}"
        )
    assert text is not None
    return text


def _forms(html: str) -> list[str]:
    return re.findall(r"<form method=\"post\">.*?</form>", html, re.S)


def _steps(form: str) -> tuple[int, int]:
    """What a person does with a form: fields to fill (not hidden) and buttons to press."""
    inputs = re.findall(r"<input[^>]*>", form)
    to_fill = [i for i in inputs if 'type="hidden"' not in i]
    return len(to_fill), len(re.findall(r"<button", form))


def test_given_under_v3_and_notice_v5_then_withdrawn_in_as_many_steps(alpha, customer):
    text = _texts()
    client = Client()
    client.force_login(customer)
    page = client.get("/account/consents/", HTTP_HOST=A).content.decode()
    assert "Treść zgody nr 3" in page
    assert "Treść zgody nr 2" not in page
    (give,) = _forms(page)
    assert _steps(give) == (0, 1)

    response = client.post(
        "/account/consents/", {"purpose": "marketing", "granted": "1"}, HTTP_HOST=A
    )
    assert response.status_code == 302
    granted = ConsentRecord.objects.get(user=customer)
    assert (granted.purpose, granted.granted, granted.text_id, granted.channel) == (
        "marketing",
        True,
        text.pk,
        "portal",
    )
    assert (granted.text.version, granted.privacy_notice.version) == (3, 5)
    assert selectors.consenting_user_ids("marketing", [customer.pk]) == {customer.pk}

    page = client.get("/account/consents/", HTTP_HOST=A).content.decode()
    (withdraw,) = _forms(page)
    assert 'name="granted" value="0"' in withdraw
    assert _steps(withdraw) == _steps(give)  # withdrawing is no harder than giving
    client.post("/account/consents/", {"purpose": "marketing", "granted": "0"}, HTTP_HOST=A)
    withdrawn = ConsentRecord.objects.filter(user=customer).first()
    assert (withdrawn.granted, withdrawn.text_id) == (False, text.pk)  # v3 taken back
    assert withdrawn.created_at >= granted.created_at
    assert selectors.consenting_user_ids("marketing", [customer.pk]) == set()

    history = selectors.consent_history(customer)
    assert [(e.granted, e.version, e.privacy_notice) for e in history] == [
        (False, 3, 5),
        (True, 3, 5),
    ]
    page = client.get("/account/consents/", HTTP_HOST=A).content.decode()
    assert page.count(">Wycofana<") == 1
    assert page.count(">Udzielona<") == 1
    assert "klauzula informacyjna, wersja 5" in page


def test_the_same_choice_twice_is_recorded_once(alpha, customer):
    _texts(1, 1)
    for _ in range(2):
        services.consent_set(user=customer, purpose="marketing", granted=True)
    assert ConsentRecord.objects.filter(user=customer).count() == 1
    # withdrawing what was never given records nothing either
    services.consent_set(user=customer, purpose="marketing", granted=False)
    services.consent_set(user=customer, purpose="marketing", granted=False)
    assert ConsentRecord.objects.filter(user=customer).count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"purpose": "marketing"},  # neither given nor withdrawn
        {"purpose": "marketing", "granted": "tak"},
        {"purpose": "profiling", "granted": "1"},  # not asked for anywhere
        {"purpose": "service", "granted": "0"},  # withdrawn by closing the account, not here
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(alpha, customer, data):
    _texts(1, 1)
    client = Client()
    client.force_login(customer)
    response = client.post("/account/consents/", data, HTTP_HOST=A)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_no_published_wording_no_marketing_consent(alpha, customer):
    client = Client()
    client.force_login(customer)
    page = client.get("/account/consents/", HTTP_HOST=A).content.decode()
    assert _forms(page) == []
    refused = client.put(
        "/api/v1/me/consents/marketing",
        {"granted": True},
        content_type="application/json",
        HTTP_HOST=A,
    )
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    assert not ConsentRecord.objects.exists()


def test_the_api_gives_and_withdraws_with_its_channel(alpha, customer):
    _texts(2, 1)
    client = Client()
    client.force_login(customer)
    listed = client.get("/api/v1/me/consents", HTTP_HOST=A).json()
    assert [(c["purpose"], c["text_version"], c["granted"]) for c in listed["consents"]] == [
        ("marketing", 2, False)
    ]
    given = client.put(
        "/api/v1/me/consents/marketing",
        {"granted": True},
        content_type="application/json",
        HTTP_HOST=A,
    )
    assert given.status_code == 200
    assert given.json()["granted"] is True
    bad = client.put(
        "/api/v1/me/consents/marketing",
        {"granted": "perhaps"},
        content_type="application/json",
        HTTP_HOST=A,
    )
    assert bad.status_code == 400
    client.put(
        "/api/v1/me/consents/marketing",
        {"granted": False},
        content_type="application/json",
        HTTP_HOST=A,
    )
    history = client.get("/api/v1/me/consents", HTTP_HOST=A).json()["history"]
    assert [(h["granted"], h["version"], h["channel"]) for h in history] == [
        (False, 2, "api"),
        (True, 2, "api"),
    ]
    assert history[0]["channel_label"] == "API"
    assert list(ConsentRecord.objects.values_list("channel", flat=True)) == ["api", "api"]


def test_staff_give_no_consents_here(alpha, staff):
    _texts(1, 1)
    with pytest.raises(ApplicationError) as refused:
        services.consent_set(user=staff, purpose="marketing", granted=True)
    assert refused.value.status == 403
    assert not ConsentRecord.objects.exists()


def test_another_tenants_consents_with_the_same_ids_never_show(tenants, alpha, customer):
    connection.set_tenant(tenants.b)
    _texts(1, 1)
    twin = user_create(login="klient-b", password="RyBa18$05x!")
    services.consent_set(user=twin, purpose="marketing", granted=True)
    b_row = ConsentRecord.objects.get()
    connection.set_tenant(tenants.a)
    assert not ConsentRecord.objects.filter(pk=b_row.pk).exists()
    client = Client()
    client.force_login(customer)
    assert client.get("/api/v1/me/consents", HTTP_HOST=A).json() == {
        "consents": [],
        "history": [],
    }
    # nothing is offered in A, so B's published wording does not open A's switch either
    assert (
        client.post(
            "/account/consents/", {"purpose": "marketing", "granted": "1"}, HTTP_HOST=A
        ).status_code
        == 400
    )
