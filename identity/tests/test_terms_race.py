"""The same account accepting the documents in two sessions at the same moment (two tabs, or two
devices at a first login), from two real transactions on two connections: both succeed, each
document is accepted once (the load test found the second one answered 500)."""

from __future__ import annotations

import threading

import pytest

from core.testing import in_thread
from identity.models import AuthEvent, Document, DocumentAcceptance, User
from identity.services import document_publish, documents_accept, user_create

pytestmark = pytest.mark.django_db


_in_thread = in_thread


def test_two_sessions_accepting_at_once_record_each_document_once(tenants):
    tenant = tenants.a  # its registration requires the e-services policy

    def setup():
        user = user_create(login="wyscig-terms", password="x")
        doc = document_publish(kind="e_services_policy", title="Polityka (wyścig)", body="Treść")
        return user.pk, doc.pk

    def cleanup():
        DocumentAcceptance.objects.filter(user__username="wyscig-terms").delete()
        AuthEvent.objects.filter(login="wyscig-terms").delete()
        User.objects.filter(username="wyscig-terms").delete()
        Document.objects.filter(title="Polityka (wyścig)").delete()

    user_id, doc_id = _in_thread(tenant, setup)
    try:
        start = threading.Barrier(2)
        results: list = []

        def accept():
            def work():
                user = User.objects.get(pk=user_id)
                start.wait(10)
                documents_accept(user=user, ids=[doc_id])
                return "ok"

            try:
                results.append(_in_thread(tenant, work))
            except Exception as exc:  # noqa: BLE001 - the assertion below shows it
                results.append(repr(exc))

        threads = [threading.Thread(target=accept) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert results == ["ok", "ok"]
        counted = _in_thread(
            tenant,
            lambda: (
                DocumentAcceptance.objects.filter(user_id=user_id, document_id=doc_id).count(),
                AuthEvent.objects.filter(
                    user_id=user_id, kind=AuthEvent.Kind.TERMS_ACCEPTED
                ).count(),
            ),
        )
        assert counted == (1, 1)
    finally:
        _in_thread(tenant, cleanup)
