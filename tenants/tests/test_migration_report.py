"""A migration run interrupted after some schemas is completed by running it again, and a report
shows every schema's state (SECURITY.md T8)."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _report() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("migration_report", stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_a_schema_left_behind_is_reported_and_completed_by_a_rerun(tenants):
    status, text = _report()
    assert status == 0, text
    assert "alpha: complete" in text
    assert "beta: complete" in text
    assert "public: complete" in text

    # As if the run had been killed after alpha: beta lacks the newest identity migrations.
    call_command(
        "migrate_schemas", "identity", "0008", schema_name="beta", interactive=False, verbosity=0
    )
    status, text = _report()
    assert status == 1
    assert "alpha: complete" in text
    assert "beta: behind, lacks identity.0009_staff_access" in text

    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
    status, text = _report()
    assert status == 0, text
    assert "beta: complete" in text
