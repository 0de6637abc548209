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


@pytest.mark.parametrize("language", ["pl", "uk", "en"])
def test_catalogue_compiles_as_the_image_build_compiles_it(language, tmp_path):
    """The Dockerfile runs compilemessages (msgfmt --check-format): a format argument missing
    from a plural form, or a stray previous-msgid comment, fails the image build."""
    import os
    import shutil
    import subprocess

    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        if os.environ.get("CI"):
            pytest.fail("msgfmt (gettext) is needed to check the catalogues")
        pytest.skip("msgfmt (gettext) is not installed")
    result = subprocess.run(  # noqa: S603 - the system's msgfmt on our own catalogue
        [
            msgfmt,
            "--check",  # formats (plural forms too), header and domain
            "-o",
            str(tmp_path / "django.mo"),
            str(LOCALE / language / "LC_MESSAGES" / "django.po"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
