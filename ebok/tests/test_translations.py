"""Polish and Ukrainian catalogues are complete: no empty or fuzzy entries; and no template
shows words that were never marked for translation."""

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"
ROOT = Path(__file__).resolve().parents[2]

# What templates may show untranslated: abbreviations and units every language writes alike,
# the product's name, and the technical words of a DNS record and a key's prefix.
SAME_IN_EVERY_LANGUAGE = {
    "PDF", "NIP", "REGON", "PESEL", "IP", "KSeF", "zł", "m²", "ebok",
    "CNAME", "IN", "your", "domain", "pl", "ebk", "bip", "brpo", "gov",
}  # fmt: skip
# The development mail viewer (DEBUG only) is a developer's tool, never a user's page.
NOT_FOR_USERS = ("core/outbox/templates/outbox/dev_mail",)
_BLOCK = re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", re.S)
_COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}|<!--.*?-->", re.S)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"{%.*?%}|{{.*?}}", re.S)
_HTML = re.compile(r"<[^>]*>", re.S)
# Attributes a person reads (or hears from a screen reader).
_READ_ATTRIBUTES = re.compile(r'\b(?:alt|title|aria-label|placeholder)="([^"]*)"')
_WORD = re.compile(r"[^\W\d_]{2,}")


def unmarked_words(text: str, *, html: bool = True) -> list[str]:
    """Words a template shows outside {% translate %} and {% blocktranslate %} (and outside
    tags, variables, comments, scripts and, in HTML, markup)."""
    for pattern in (_COMMENT, _BLOCK, _SCRIPT):
        text = pattern.sub(" ", text)
    text = _TAG.sub(" ", text)
    if html:
        read = " ".join(_READ_ATTRIBUTES.findall(text))
        text = _HTML.sub(" ", text) + " " + read
    return [w for w in _WORD.findall(text) if w not in SAME_IN_EVERY_LANGUAGE]


def test_the_check_finds_a_word_left_unmarked():
    page = '{% load i18n %}<h1>{% translate "Invoices" %}</h1><p title="x">Faktury {{ n }}</p>'
    assert unmarked_words(page) == ["Faktury"]
    assert unmarked_words('<img alt="Logo spółdzielni" src="x">') == ["Logo", "spółdzielni"]
    assert unmarked_words("{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}") == []


def test_every_template_string_is_marked_for_translation():
    found = {}
    for path in sorted(ROOT.glob("*/**/templates/**/*")):
        relative = path.relative_to(ROOT).as_posix()
        if not path.is_file() or path.suffix not in (".html", ".txt"):
            continue
        if relative.startswith((".venv/", *NOT_FOR_USERS)):
            continue
        words = unmarked_words(path.read_text(encoding="utf-8"), html=path.suffix == ".html")
        if words:
            found[relative] = words
    assert found == {}


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


# Polish and Ukrainian count in three forms (1; 2–4 but not 12–14; the rest): the catalogues'
# plural rules must pick them, or "5 faktury" reads as broken Polish.
COUNTED = {
    "pl": {
        1: "1 faktura jest",
        2: "2 faktury są",
        4: "4 faktury są",
        5: "5 faktur jest",
        12: "12 faktur jest",
        14: "14 faktur jest",
        22: "22 faktury są",
        25: "25 faktur jest",
        101: "101 faktur jest",
    },
    "uk": {1: "1 рахунок ", 21: "21 рахунок ", 2: "2 рахунки", 5: "5 рахунків", 11: "11 рахунків"},
    "en": {1: "1 invoice is", 2: "2 invoices are", 21: "21 invoices are"},
}


@pytest.mark.parametrize("language", sorted(COUNTED))
def test_counted_words_take_the_languages_plural_forms(language):
    from django.utils import translation

    for n, expected in COUNTED[language].items():
        with translation.override(language):
            text = translation.ngettext(
                "%(n)s invoice is overdue", "%(n)s invoices are overdue", n
            ) % {"n": n}
        assert text.startswith(expected), (n, text)


# Python's own errors carry text for developers and logs, never for a person.
_DEVELOPERS_ERRORS = {
    "RuntimeError", "ValueError", "TypeError", "KeyError", "AssertionError", "AttributeError",
    "NotImplementedError", "ImproperlyConfigured", "LookupError", "OSError", "CommandError",
    "FileNotFoundError", "UnicodeDecodeError", "SystemExit",
}  # fmt: skip


def untranslated_messages(source: str) -> list[str]:
    """Text a person reads that Python code gives as a bare literal (not through gettext): the
    message of an application's error (an API's ``detail``, a form's error) and a page's flash
    message."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name.endswith(("Error", "Denied", "Exception")) and name not in _DEVELOPERS_ERRORS:
            texts = node.args[:1] + [
                k.value for k in node.keywords if k.arg in ("message", "detail")
            ]
        elif name in ("error", "success", "info", "warning") and getattr(func, "value", None):
            texts = node.args[1:2] if getattr(func.value, "id", "") == "messages" else []
        else:
            texts = []
        for text in texts:
            literal = isinstance(text, ast.Constant) and isinstance(text.value, str)
            if (literal and _WORD.search(text.value)) or isinstance(text, ast.JoinedStr):
                found.append(f"line {node.lineno}: {ast.unparse(text)[:60]}")
    return found


def test_the_check_finds_a_message_left_untranslated():
    code = (
        'raise ApplicationError("Nie znaleziono.", code="x")\n'
        'raise ApplicationError(_("Not found."))\n'
        'messages.success(request, f"Saved {n}")\n'
        'raise ValueError("a developer\'s message")\n'
    )
    assert [line.split(":")[0] for line in untranslated_messages(code)] == ["line 1", "line 3"]


def test_every_message_python_gives_a_person_is_marked_for_translation():
    """The API's ``detail``s, form errors and flash messages are written in English and
    translated: a literal left out of gettext would reach a Polish or Ukrainian reader as is."""
    found = {}
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "bench/")) or "/tests/" in relative:
            continue
        if "/migrations/" in relative:
            continue
        messages = untranslated_messages(path.read_text(encoding="utf-8"))
        if messages:
            found[relative] = messages
    assert found == {}


@pytest.mark.parametrize(
    ("language", "day", "moment", "amount"),
    [
        ("pl", "15.12.2026", "15.12.2026 08:05", "−1\u00a0234\u00a0567,80\u00a0zł"),
        ("uk", "15.12.2026", "15.12.2026 08:05", "−1\u00a0234\u00a0567,80\u00a0zł"),
        ("en", "15/12/2026", "15/12/2026 08:05", "−1,234,567.80\u00a0zł"),
    ],
)
def test_dates_and_amounts_in_each_languages_conventions(language, day, moment, amount):
    """Never the American month first, and the separators the language uses."""
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from django.template import Context, Template
    from django.utils import translation

    template = Template(
        '{% load ebok_format %}{{ d|date:"SHORT_DATE_FORMAT" }}|'
        '{{ m|date:"SHORT_DATETIME_FORMAT" }}|{{ a|money }}'
    )
    with translation.override(language):
        shown = template.render(
            Context(
                {
                    "d": date(2026, 12, 15),
                    "m": datetime(2026, 12, 15, 7, 5, tzinfo=UTC),  # 8:05 in Warsaw
                    "a": Decimal("-1234567.8"),
                }
            )
        )
    assert shown == f"{day}|{moment}|{amount}"
