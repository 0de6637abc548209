"""Telling residents of an announcement or a failure, each by their channels: who is told
(the target's premises, titles valid today), the preview's counts, once only, and the office's
page (a preview first, then one confirmation)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from billing.models import Building, LegalTitle
from core.outbox.models import Message
from correspondence import services
from correspondence.tests.conftest import PASSWORD, A
from correspondence.tests.test_publications import announce, published  # noqa: F401 - fixture
from identity.services import consent_set, document_publish
from identity.tests.conftest import login_verified_staff
from notifications.selectors import config, customer_events
from notifications.services import preferences_set

pytestmark = pytest.mark.django_db


def test_the_residents_of_the_target_are_told_once(published):  # noqa: F811
    p = published
    b2 = Building.objects.get(erp_id="B2")
    on_b2 = announce(p["staff"], title="Malowanie klatek", target="buildings", building_ids=[b2.pk])
    assert list(services.announcement_recipients(on_b2)) == [p["owner"]]  # M3 is in B2
    everyone = announce(p["staff"], title="Walne zgromadzenie")
    assert set(services.announcement_recipients(everyone)) == {p["owner"], p["neighbour"]}
    assert services.announcement_notify(actor=p["staff"], announcement_id=on_b2.pk) == 1
    assert services.announcement_notify(actor=p["staff"], announcement_id=on_b2.pk) == 0
    told = Message.objects.get(event="announcement")
    assert (told.recipient, told.subject) == (
        "jan@example.com",
        "Malowanie klatek – Spółdzielnia Alfa",
    )
    on_b2.refresh_from_db()
    assert on_b2.notified_messages == 1
    assert on_b2.notified_at is not None


def test_a_title_ended_before_today_is_not_told(published):  # noqa: F811
    p = published
    LegalTitle.objects.filter(erp_id="T3").update(
        valid_from=date(2020, 1, 1), valid_to=timezone.localdate() - timedelta(days=1)
    )
    everyone = announce(p["staff"], title="Walne zgromadzenie")
    assert list(services.announcement_recipients(everyone)) == [p["owner"]]


def test_the_preview_counts_each_channel(published, set_config):  # noqa: F811
    p = published
    set_config(notifications__channels=["email"])
    preferences_set(user=p["neighbour"], choices={}, digest=True)
    works = announce(
        p["staff"], title="Wymiana pionów", kind="planned_works", starts_at=timezone.now()
    )
    preview = services.announcement_notice_preview(announcement_id=works.pk)
    # Works are urgent: the neighbour's digest does not hold them.
    assert (preview["accounts"], preview["email"], preview["digest"], preview["sms"]) == (
        2,
        2,
        0,
        0,
    )
    announcement = announce(p["staff"], title="Walne zgromadzenie")
    preview = services.announcement_notice_preview(announcement_id=announcement.pk)
    assert (preview["accounts"], preview["email"], preview["digest"], preview["sms"]) == (
        2,
        1,
        1,
        0,
    )
    assert preview["sample"]["subject"] == "Walne zgromadzenie – Spółdzielnia Alfa"
    assert Message.objects.filter(event__in=["announcement", "outage"]).count() == 0


def test_the_office_previews_then_sends(published, client):  # noqa: F811
    p = published
    everyone = announce(p["staff"], title="Walne zgromadzenie")
    login_verified_staff(client, A, p["staff"], PASSWORD)
    url = f"/office/announcements/{everyone.pk}/notify"
    page = client.get(url, HTTP_HOST=A)
    assert page.status_code == 200
    assert "2 konta mają lokale" in page.content.decode()
    assert Message.objects.filter(event="announcement").count() == 0
    response = client.post(url, HTTP_HOST=A)
    assert response.status_code == 302
    assert Message.objects.filter(event="announcement").count() == 2
    client.post(url, HTTP_HOST=A)
    assert Message.objects.filter(event="announcement").count() == 2
    again = client.get(url, HTTP_HOST=A).content.decode()
    assert "nie ma już kogo powiadamiać" in again
    assert "Wyślij teraz" not in again


def test_after_sending_the_preview_counts_only_those_not_told(published):  # noqa: F811
    p = published
    everyone = announce(p["staff"], title="Walne zgromadzenie")
    assert services.announcement_notice_preview(announcement_id=everyone.pk)["accounts"] == 2
    services.announcement_notify(actor=p["staff"], announcement_id=everyone.pk)
    preview = services.announcement_notice_preview(announcement_id=everyone.pk)
    assert (preview["accounts"], preview["email"], preview["sms"]) == (0, 0, 0)


def test_a_kind_of_notice_the_tenant_does_not_offer_tells_nobody(published, set_config):  # noqa: F811
    p = published
    everyone = announce(p["staff"], title="Walne zgromadzenie")
    set_config(modules=["tickets", "failure_reports"])
    preview = services.announcement_notice_preview(announcement_id=everyone.pk)
    assert (preview["sample"]["offered"], preview["accounts"]) == (False, 0)
    assert services.announcement_notify(actor=p["staff"], announcement_id=everyone.pk) == 0


def test_news_and_offers_go_only_to_those_whose_consent_stands(published):  # noqa: F811
    """G1's "processing for that purpose stops": an offer is told to whoever consents to news
    and offers, never to the others, and no longer to one who withdrew; where the organisation
    asks for no such consent, the notice is not even offered in the customers' choices."""
    p = published
    offer = announce(p["staff"], title="Nowa taryfa", kind="offer")
    assert offer.starts_at is None  # an offer is not works: no start to give
    # no wording of the consent published: nobody consents, nobody is told
    assert "offer" not in {e.code for e in customer_events(config())}
    assert services.announcement_notify(actor=p["staff"], announcement_id=offer.pk) == 0

    document_publish(kind="marketing_consent", title="Zgoda", body="Oferty e-mailem")
    assert "offer" in {e.code for e in customer_events(config())}
    consent_set(user=p["owner"], purpose="marketing", granted=True)
    consent_set(user=p["neighbour"], purpose="marketing", granted=True)
    consent_set(user=p["neighbour"], purpose="marketing", granted=False)
    preview = services.announcement_notice_preview(announcement_id=offer.pk)
    assert preview["accounts"] == 1
    assert services.announcement_notify(actor=p["staff"], announcement_id=offer.pk) == 1
    told = Message.objects.get(event="offer")
    assert told.recipient == "jan@example.com"
    assert "jednym kliknięciem" in told.body_text  # how to withdraw, in the message itself

    # the owner withdraws: the next offer does not reach them
    consent_set(user=p["owner"], purpose="marketing", granted=False)
    later = announce(p["staff"], title="Promocja", kind="offer")
    assert services.announcement_notify(actor=p["staff"], announcement_id=later.pk) == 0
    assert Message.objects.filter(event="offer").count() == 1
