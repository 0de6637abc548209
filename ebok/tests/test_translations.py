"""Polish and Ukrainian catalogues are complete: no empty or fuzzy entries."""

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_catalogue_is_complete(language):
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()
    entries = text.split("\n\n")[1:]  # the first block is the header
    missing = []
    for entry in entries:
        if entry.startswith("#~") or "msgid" not in entry:
            continue
        msgid = "".join(re.findall(r'^msgid "(.*)"$', entry, re.M)) or entry
        if (
            "#, fuzzy" in entry
            or re.search(r'^msgstr(\[\d\])? ""\n?(?!")', entry + "\n", re.M)
            and not re.search(r'^msgstr(\[\d\])? ""\n"', entry + "\n", re.M)
        ):
            missing.append(msgid)
    assert missing == []
    assert (LOCALE / language / "LC_MESSAGES" / "django.mo").exists()
