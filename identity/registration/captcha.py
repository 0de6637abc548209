"""Captchas served by the platform itself (no third-party calls).

Digit positions (preset B): a random string of digits and two positions to type back; plain text,
so screen readers handle it. Image (preset E): five characters drawn as distorted vector outlines,
with a text alternative (a small sum) that answers the same challenge. The challenge travels as a signed, time-limited token
(so it works for pages and the stateless API alike) and holds only a salted hash of the answer;
a used token is remembered until it expires, so it cannot be replayed.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing
from django.utils.translation import gettext as _
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.ttLib import TTFont

from core.pdf import _font
from core.throttling import first_use

SALT = "ebok.captcha"
MAX_AGE = 15 * 60


@dataclass(frozen=True)
class Challenge:
    token: str
    prompt: str
    kind: str
    image: str = ""  # a data: URI (image captcha)
    alternative: str = ""  # the accessible text question answering the same challenge


def _digest(answer: str, nonce: str) -> str:
    return hashlib.sha256(f"{nonce}:{answer.strip()}".encode()).hexdigest()


def digit_positions() -> Challenge:
    digits = "".join(secrets.choice("0123456789") for _ in range(8))
    first, second = sorted(secrets.SystemRandom().sample(range(1, 9), 2))
    answer = digits[first - 1] + digits[second - 1]
    nonce = secrets.token_hex(8)
    token = signing.dumps(
        {"k": "digit_positions", "n": nonce, "h": _digest(answer, nonce)}, salt=SALT
    )
    spaced = " ".join(digits)
    prompt = _("Type the digits at positions %(first)d and %(second)d of: %(digits)s") % {
        "first": first,
        "second": second,
        "digits": spaced,
    }
    return Challenge(token=token, prompt=prompt, kind="digit_positions")


_CODE_ALPHABET = "ACDEFHJKMNPRTUWXY34679"  # no look-alikes (0/O, 1/I, 5/S, 8/B)
_NUMBER_WORDS = None


def _glyph_paths(text: str, rng: secrets.SystemRandom) -> str:
    """The characters as vector outlines (from DejaVu Sans Bold), each moved and rotated a little."""

    font = TTFont(_font("DejaVuSans-Bold.ttf"), lazy=True)
    glyphs, cmap = font.getGlyphSet(), font.getBestCmap()
    units = font["head"].unitsPerEm
    parts, x = [], 14.0
    for ch in text:
        name = cmap[ord(ch)]
        pen = SVGPathPen(glyphs)
        glyphs[name].draw(pen)
        scale = rng.uniform(0.030, 0.036) * 1000 / units
        angle = rng.uniform(-18, 18)
        y = 48 + rng.uniform(-5, 5)
        parts.append(
            f'<path transform="translate({x:.1f} {y:.1f}) rotate({angle:.1f}) scale({scale:.4f} {-scale:.4f})" '
            f'd="{pen.getCommands()}"/>'
        )
        x += glyphs[name].width * scale + rng.uniform(2, 6)
    noise = "".join(
        f'<path d="M{rng.uniform(0, 40):.0f} {rng.uniform(5, 60):.0f} Q{rng.uniform(40, 120):.0f} '
        f'{rng.uniform(0, 64):.0f} {rng.uniform(140, 200):.0f} {rng.uniform(5, 60):.0f}" fill="none" '
        f'stroke="#1b1f24" stroke-width="{rng.uniform(1, 2):.1f}"/>'
        for _ in range(4)
    )
    width = max(200, x + 10)
    head = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} 64" width="200" height="64">'
    body = (
        f'<rect width="100%" height="100%" fill="#f4f5f7"/><g fill="#1b1f24">{"".join(parts)}</g>'
    )
    return f"{head}{body}{noise}</svg>"


def image() -> Challenge:

    rng = secrets.SystemRandom()
    code = "".join(rng.choice(_CODE_ALPHABET) for _ in range(5))
    a, b = rng.randint(2, 9), rng.randint(2, 9)
    nonce = secrets.token_hex(8)
    token = signing.dumps(
        {"k": "image", "n": nonce, "h": _digest(code, nonce), "a": _digest(str(a + b), nonce)},
        salt=SALT,
    )
    svg = _glyph_paths(code, rng)
    return Challenge(
        token=token,
        kind="image",
        image="data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        prompt=_("Type the characters shown in the picture."),
        alternative=_(
            "If you cannot see the picture, answer instead: "
            "how much is %(a)d plus %(b)d? (in digits)"
        )
        % {"a": a, "b": b},
    )


def new_challenge(kind: str) -> Challenge | None:
    makers = {"digit_positions": digit_positions, "image": image}
    return makers[kind]() if kind in makers else None


def verify(token: str, answer: str) -> bool:
    """True once for the right answer to an unexpired challenge."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return False
    answer = "".join((answer or "").split()).upper()
    if not answer:
        return False
    accepted = {data["h"], data.get("a")}
    if _digest(answer, data["n"]) not in accepted:
        return False
    issued_at = datetime.fromtimestamp(signing.b62_decode(token.rsplit(":", 2)[1]), tz=UTC)
    return first_use("captcha_used", data["n"], issued_at=issued_at)  # False when replayed
