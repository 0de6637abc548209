"""Cases: filing (references, deadlines, scope, spam rules, attachments), the workflow both ways,
the data change request, the status lookup and the daily jobs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from billing.models import Customer
from core.errors import ApplicationError, Throttled
from core.outbox.models import Message
from correspondence import selectors, services
from correspondence.deadlines import add_business_days, business_days_until
from correspondence.models import Case, CaseMessage, CaseStatus
from correspondence.tests.conftest import PASSWORD, file_case, pdf, png

pytestmark = pytest.mark.django_db


# Deadlines in business days (Polish public holidays).


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 12, 22), 2, date(2026, 12, 28)),  # Christmas Eve, 25th, the weekend skipped
        (date(2026, 12, 18), 3, date(2026, 12, 23)),  # Fri: the weekend skipped
        (date(2026, 12, 23), 1, date(2026, 12, 28)),  # the day before Christmas Eve
        (date(2026, 12, 22), 1, date(2026, 12, 23)),  # the last business day before it
        (date(2026, 4, 3), 1, date(2026, 4, 7)),  # Good Friday → Easter Monday skipped
        (date(2026, 11, 10), 1, date(2026, 11, 12)),  # Independence Day skipped
        (date(2026, 11, 9), 1, date(2026, 11, 10)),  # the day before it counts
        (date(2026, 6, 3), 1, date(2026, 6, 5)),  # Corpus Christi
        (date(2026, 12, 31), 2, date(2027, 1, 5)),  # New Year's Day, then a weekend
        (date(2027, 1, 5), 1, date(2027, 1, 7)),  # Epiphany
    ],
)
def test_deadlines_skip_weekends_and_polish_public_holidays(start, days, due):
    assert add_business_days(start, days) == due


def test_business_days_until_counts_both_ways():
    assert business_days_until(date(2026, 12, 22), date(2026, 12, 28)) == 2
    assert business_days_until(date(2026, 12, 28), date(2026, 12, 22)) == -2
    assert business_days_until(date(2026, 12, 18), date(2026, 12, 18)) == 0


# Filing.


def test_a_customer_files_a_failure_with_a_reference_deadline_and_a_confirmation(people):
    case = file_case(
        people["owner"],
        premises_id=people["m1"].pk,
        place="piwnica",
        urgency="urgent",
        attachments=[png(), pdf()],
    )
    year = timezone.localdate().year
    assert case.reference == f"AW/{year}/000001"
    assert case.customer == people["k1"]
    assert case.status == CaseStatus.NEW
    assert case.due_on == add_business_days(timezone.localdate(), 3)
    assert case.contact_email == "jan@example.com"
    message = case.messages.get()
    assert [a.content_type for a in message.attachments.all()] == ["image/png", "application/pdf"]
    assert [a.name for a in message.attachments.all()] == ["zdjęcie awarii.png", "protokół.pdf"]
    assert file_case(people["owner"], text="Inna awaria").reference == f"AW/{year}/000002"
    assert file_case(people["owner"], kind="question", text="Pytanie").reference == (
        f"PYT/{year}/000001"
    )
    sent = Message.objects.filter(template="case_received", recipient="jan@example.com")
    assert sent.count() == 3
    assert case.reference in sent.order_by("id").first().body_text


def test_a_kind_whose_module_is_off_or_unknown_is_refused(people, set_config):
    set_config(modules=["tickets", "invoices"])  # failure reports off
    with pytest.raises(ApplicationError) as refused:
        file_case(people["owner"], kind="failure")
    assert refused.value.code == "invalid"
    assert "kind" in refused.value.extra["fields"]
    with pytest.raises(ApplicationError) as refused:
        file_case(people["owner"], kind="nonexistent")
    assert "kind" in refused.value.extra["fields"]
    assert not Case.objects.exists()


def test_another_customers_premises_or_invoice_is_refused(people):
    with pytest.raises(ApplicationError) as refused:
        file_case(people["owner"], premises_id=people["m2"].pk)  # K2's flat
    assert "premises" in refused.value.extra["fields"]
    with pytest.raises(ApplicationError) as refused:
        file_case(people["owner"], kind="complaint", invoice_id=people["f2"].pk)  # K2's invoice
    assert "invoice" in refused.value.extra["fields"]
    assert not Case.objects.exists()
    case = file_case(people["owner"], kind="complaint", invoice_id=people["f1"].pk)
    assert case.invoice == people["f1"]


def test_fields_the_kind_does_not_ask_for_are_not_kept(people):
    case = file_case(
        people["owner"],
        kind="data_change",
        change={"city": "Gdzie indziej"},
        premises_id=people["m2"].pk,  # not even checked: the kind has no premises
        place="x",
        urgency="emergency",
        invoice_id=people["f2"].pk,
    )
    assert (case.premises, case.place, case.urgency, case.invoice) == (None, "", "", None)


def test_the_daily_cap_holds_on_its_boundary(people, set_config):
    set_config(correspondence__daily_case_limit=2)
    file_case(people["owner"], text="Pierwsza sprawa")
    file_case(people["owner"], text="Druga sprawa")  # the last one allowed
    with pytest.raises(Throttled):
        file_case(people["owner"], text="Trzecia sprawa")
    assert Case.objects.filter(customer=people["k1"]).count() == 2
    file_case(people["neighbour"], text="Sprawa sąsiadki")  # another customer's cap is its own


def test_the_same_text_again_is_refused_whatever_its_spacing_and_case(people):
    file_case(people["owner"], text="Nie działa   domofon.")
    with pytest.raises(ApplicationError) as refused:
        file_case(people["owner"], text="nie DZIAŁA domofon.  ")
    assert (refused.value.code, refused.value.status) == ("duplicate_case", 409)
    file_case(people["neighbour"], text="Nie działa domofon.")  # another customer may
    assert Case.objects.count() == 2


def test_an_old_text_may_be_filed_again_after_thirty_days(people):
    case = file_case(people["owner"], text="Nie działa domofon.")
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(days=31))
    file_case(people["owner"], text="Nie działa domofon.")
    assert Case.objects.count() == 2


def test_hostile_and_oversized_attachments_are_refused_and_nothing_is_kept(people, set_config):
    set_config(correspondence__attachment_max_megabytes=1)
    svg = SimpleUploadedFile(
        "kot.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    html = SimpleUploadedFile("umowa.pdf", b"<html><script>alert(1)</script></html>")
    fake_pdf = SimpleUploadedFile("umowa.pdf", b"%PDF-1.4\n<html><script>x</script></html>")
    program = SimpleUploadedFile("foto.jpg", b"MZ\x90\x00" + b"\x00" * 100)
    for hostile in (svg, html, fake_pdf, program):
        with pytest.raises(ApplicationError) as refused:
            file_case(people["owner"], attachments=[hostile])
        assert refused.value.code == "attachment_not_allowed", hostile.name
    big = png()
    big.size = 1024 * 1024 + 1  # one byte over the tenant's limit
    with pytest.raises(ApplicationError) as refused:
        file_case(people["owner"], attachments=[big])
    assert refused.value.code == "attachment_too_large"
    at_limit = png()
    at_limit.size = 1024 * 1024  # exactly the limit is taken
    assert file_case(people["owner"], attachments=[at_limit]).messages.get().attachments.count()
    assert Case.objects.count() == 1


def test_a_fifty_megabyte_file_is_refused(people):
    big = SimpleUploadedFile("duzy.pdf", b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024))
    with pytest.raises(ApplicationError) as refused:
        file_case(people["owner"], attachments=[big])
    assert refused.value.code == "attachment_too_large"
    assert not Case.objects.exists()


def test_a_pdf_that_runs_a_script_on_opening_is_refused(people):
    import io

    from pypdf import PdfWriter
    from pypdf.actions import JavaScript

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_open_action(JavaScript("app.alert('x');"))
    buffer = io.BytesIO()
    writer.write(buffer)
    scripted = SimpleUploadedFile("skrypt.pdf", buffer.getvalue())
    with pytest.raises(ApplicationError) as refused:
        file_case(people["owner"], attachments=[scripted])
    assert refused.value.code == "attachment_not_allowed"


def test_too_many_attachments_are_refused(people, set_config):
    set_config(correspondence__attachments_per_message=2)
    with pytest.raises(ApplicationError) as refused:
        file_case(people["owner"], attachments=[png(), png(), png()])
    assert refused.value.code == "too_many_attachments"
    file_case(people["owner"], attachments=[png(), png()])


def test_staff_cannot_file_a_case_as_a_customer(people):
    with pytest.raises(ApplicationError) as refused:
        file_case(people["staff"])
    assert refused.value.status == 403


# The workflow.


def test_the_office_answers_the_customer_replies_closes_rates(people):
    case = file_case(people["owner"])
    services.case_note_add(actor=people["staff"], case_id=case.pk, text="Wysłać hydraulika.")
    services.case_answer(
        actor=people["staff"], case_id=case.pk, text="Prosimy o zdjęcie.", status="waiting"
    )
    case.refresh_from_db()
    assert (case.status, case.assigned_to) == (CaseStatus.WAITING, people["staff"])
    # The account holder is told by the channels they chose (the question is a case_answered
    # notice with the question's words).
    question = Message.objects.get(event="case_answered", recipient="jan@example.com")
    assert question.subject.startswith(f"Biuro pyta o zgłoszenie {case.reference}")
    services.case_reply(actor=people["owner"], case_id=case.pk, text="Zdjęcie", attachments=[png()])
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    services.case_answer(actor=people["staff"], case_id=case.pk, text="Naprawione.")
    case.refresh_from_db()
    assert case.status == CaseStatus.ANSWERED
    assert case.answered_at is not None
    services.case_close(actor=people["owner"], case_id=case.pk)
    with pytest.raises(ApplicationError) as refused:
        services.case_reply(actor=people["owner"], case_id=case.pk, text="Jeszcze")
    assert (refused.value.code, refused.value.status) == ("case_closed", 409)
    services.case_rate(actor=people["owner"], case_id=case.pk, rating=5, comment="Szybko")
    with pytest.raises(ApplicationError) as refused:
        services.case_rate(actor=people["owner"], case_id=case.pk, rating=1)
    assert refused.value.code == "already_rated"
    case.refresh_from_db()
    assert (case.rating, case.rating_comment) == (5, "Szybko")
    customer_view = selectors.case_history(case=case, for_staff=False)
    assert "Wysłać hydraulika." not in [m.body for m in customer_view]
    assert "Wysłać hydraulika." in [
        m.body for m in selectors.case_history(case=case, for_staff=True)
    ]


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        ("new", "in_progress", True),
        ("new", "answered", False),  # an answer, never a bare status
        ("new", "new", False),
        ("in_progress", "waiting", False),  # a question to the customer, never bare
        ("new", "waiting", False),
        ("in_progress", "closed", True),
        ("waiting", "in_progress", True),
        ("answered", "closed", True),
        ("closed", "in_progress", True),
        ("closed", "answered", False),
        ("closed", "waiting", False),
    ],
)
def test_staff_status_changes_follow_the_workflow(people, start, to, allowed):
    case = file_case(people["owner"])
    Case.objects.filter(pk=case.pk).update(status=start)
    if allowed:
        assert (
            services.case_status_set(actor=people["staff"], case_id=case.pk, status=to).status == to
        )
    else:
        with pytest.raises(ApplicationError) as refused:
            services.case_status_set(actor=people["staff"], case_id=case.pk, status=to)
        assert (refused.value.code, refused.value.status) == ("transition_not_allowed", 409)
        case.refresh_from_db()
        assert case.status == start


def test_reopening_is_allowed_within_the_tenants_days_and_not_after(people, set_config):
    set_config(correspondence__reopen_days=7)
    case = file_case(people["owner"])
    services.case_close(actor=people["owner"], case_id=case.pk)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=7, hours=-1))
    reopened = services.case_reopen(actor=people["owner"], case_id=case.pk)
    assert reopened.status == CaseStatus.IN_PROGRESS
    assert reopened.due_on == add_business_days(timezone.localdate(), 3)
    services.case_close(actor=people["owner"], case_id=case.pk)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=7, hours=1))
    with pytest.raises(ApplicationError) as refused:
        services.case_reopen(actor=people["owner"], case_id=case.pk)
    assert refused.value.code == "reopen_expired"


def test_a_rating_outside_one_to_five_or_of_an_open_case_is_refused(people):
    case = file_case(people["owner"])
    with pytest.raises(ApplicationError) as refused:
        services.case_rate(actor=people["owner"], case_id=case.pk, rating=5)
    assert refused.value.code == "transition_not_allowed"
    services.case_close(actor=people["owner"], case_id=case.pk)
    for wrong in (0, 6, True):
        with pytest.raises(ApplicationError) as refused:
            services.case_rate(actor=people["owner"], case_id=case.pk, rating=wrong)
        assert "rating" in refused.value.extra["fields"]
    services.case_rate(actor=people["owner"], case_id=case.pk, rating=1)  # the lower bound


def test_another_customer_cannot_touch_the_case(people):
    case = file_case(people["owner"])
    for action in (services.case_close, services.case_reopen):
        with pytest.raises(ApplicationError) as refused:
            action(actor=people["neighbour"], case_id=case.pk)
        assert refused.value.status == 404
    with pytest.raises(ApplicationError) as refused:
        services.case_reply(actor=people["neighbour"], case_id=case.pk, text="x")
    assert refused.value.status == 404
    assert case.messages.count() == 1


# Scope: a manager sees the cases of granted premises only.


def test_a_manager_sees_and_files_cases_of_granted_premises_only(people, manager):
    on_m1 = file_case(people["owner"], premises_id=people["m1"].pk, text="M1")
    file_case(people["owner"], premises_id=people["m3"].pk, text="M3")
    file_case(people["owner"], kind="question", text="Bez lokalu")
    assert list(selectors.case_list(actor=manager)) == [on_m1]
    filed = file_case(manager, premises_id=people["m1"].pk, text="Od zarządcy")
    assert filed.customer == people["k1"]
    with pytest.raises(ApplicationError) as refused:
        file_case(manager, premises_id=people["m3"].pk, text="Nie jego")
    assert "premises" in refused.value.extra["fields"]


# The data change request.


def test_a_data_change_is_applied_when_staff_accept_it(people):
    case = file_case(
        people["owner"],
        kind="data_change",
        text="Proszę o zmianę adresu do korespondencji.",
        change={"street": "Nowa", "building_no": "5", "postcode": "00-950", "city": "Lipiny"},
    )
    assert Customer.objects.get(pk=people["k1"].pk).street == ""  # nothing before acceptance
    services.case_change_accept(actor=people["staff"], case_id=case.pk)
    customer = Customer.objects.get(pk=people["k1"].pk)
    assert (customer.street, customer.postcode) == ("Nowa", "00-950")
    case.refresh_from_db()
    assert case.status == CaseStatus.ANSWERED
    assert case.change_applied_at is not None
    note = case.messages.get(kind=CaseMessage.Kind.NOTE)
    assert "Adres do korespondencji: ulica: — → Nowa" in note.body
    with pytest.raises(ApplicationError) as refused:
        services.case_change_accept(actor=people["staff"], case_id=case.pk)
    assert refused.value.code == "change_already_applied"


def test_changing_the_email_phone_or_refund_account_asks_for_the_password(people):
    change = {"email": "nowy@example.com"}
    for wrong in ("", "zle-haslo"):
        with pytest.raises(ApplicationError) as refused:
            file_case(people["owner"], kind="data_change", change=change, current_password=wrong)
        assert refused.value.code == "wrong_current_password"
    case = file_case(people["owner"], kind="data_change", change=change, current_password=PASSWORD)
    assert case.change == change
    account = {"refund_account": "61109010140000071219812874"}
    with pytest.raises(ApplicationError) as refused:  # a valid account: the password first
        file_case(people["owner"], kind="data_change", change=account, text="Konto")
    assert refused.value.code == "wrong_current_password"
    bad = {"refund_account": "61109010140000071219812875"}  # a wrong check digit
    with pytest.raises(ApplicationError) as refused:
        file_case(
            people["owner"], kind="data_change", change=bad, text="Konto", current_password=PASSWORD
        )
    assert "change.refund_account" in refused.value.extra["fields"]


def test_a_manager_who_does_not_cover_all_premises_may_not_request_a_change(people, manager):
    with pytest.raises(ApplicationError) as refused:
        file_case(manager, kind="data_change", change={"city": "Gdzieś"})
    assert (refused.value.code, refused.value.status) == ("not_all_premises", 403)
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("phone", "valid"),
    [("600100200", True), ("+48 600 100 200", True), ("1       2", False), ("60010020", False)],
)
def test_a_phone_number_has_nine_to_fifteen_digits(phone, valid):
    from billing.services import customer_change_problems

    assert ("phone" not in customer_change_problems({"phone": phone})) is valid


def test_a_change_of_nothing_or_of_unknown_data_is_refused(people):
    with pytest.raises(ApplicationError) as refused:
        file_case(people["owner"], kind="data_change", change={})
    assert "change" in refused.value.extra["fields"]
    with pytest.raises(ApplicationError) as refused:
        file_case(people["owner"], kind="data_change", change={"pesel_hash": "x"})
    with pytest.raises(ApplicationError) as refused:
        file_case(people["owner"], kind="data_change", change={"phone": "600100200"}, text="T")
    assert refused.value.code == "no_change"


# The status lookup.


def test_the_status_lookup_needs_the_right_pair_and_reveals_nothing_else(people):
    case = file_case(people["owner"], contact_phone="+48 600 100 200")
    assert selectors.case_status_lookup(reference=case.reference, contact="JAN@example.com") == case
    assert selectors.case_status_lookup(reference=case.reference.lower(), contact="600100200")
    assert selectors.case_status_lookup(reference=case.reference, contact="ewa@example.com") is None
    assert (
        selectors.case_status_lookup(reference="AW/2026/999999", contact="jan@example.com") is None
    )
    assert selectors.case_status_lookup(reference=case.reference, contact="") is None


# The daily jobs.


def test_answered_cases_without_a_reply_are_closed_after_the_tenants_days(people, set_config):
    set_config(correspondence__close_answered_after_days=5)
    old = file_case(people["owner"], text="Stara")
    fresh = file_case(people["owner"], text="Nowa")
    for case in (old, fresh):
        services.case_answer(actor=people["staff"], case_id=case.pk, text="Odpowiedź")
    Case.objects.filter(pk=old.pk).update(answered_at=timezone.now() - timedelta(days=5, hours=1))
    Case.objects.filter(pk=fresh.pk).update(
        answered_at=timezone.now() - timedelta(days=4, hours=23)
    )
    assert services.cases_close_answered() == 1
    assert Case.objects.get(pk=old.pk).status == CaseStatus.CLOSED
    assert Case.objects.get(pk=fresh.pk).status == CaseStatus.ANSWERED


def test_staff_get_one_digest_of_deadlines_near_on_business_days(people, set_config):
    set_config(correspondence__reminder_business_days=2)
    today = date(2026, 12, 2)  # a Wednesday
    near = file_case(people["owner"], text="Blisko")
    late = file_case(people["owner"], text="Po terminie")
    far = file_case(people["owner"], kind="question", text="Daleko")
    Case.objects.filter(pk=near.pk).update(due_on=add_business_days(today, 2))  # the boundary
    Case.objects.filter(pk=late.pk).update(due_on=date(2026, 11, 27))
    Case.objects.filter(pk=far.pk).update(due_on=add_business_days(today, 3))  # one beyond
    assert services.case_reminders_send(today=date(2026, 12, 5)) == 0  # a Saturday: none
    assert services.case_reminders_send(today=today) == 1  # one member of staff, one e-mail
    digest = Message.objects.get(template="case_deadlines")
    assert digest.recipient == "biuro@example.com"
    assert near.reference in digest.body_text
    assert f"{late.reference} („Cieknie kaloryfer”): termin minął 27.11.2026" in digest.body_text
    assert far.reference not in digest.body_text
    assert services.case_reminders_send(today=today) == 0  # once a day
