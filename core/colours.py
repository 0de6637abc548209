"""Colour arithmetic for WCAG contrast: the text colour on a tenant's brand colour is chosen so
that it is always readable, whatever colours the tenant picks."""


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_text_on(background: str) -> str:
    """Black or white, whichever contrasts more with ``background``."""
    return (
        "#000000"
        if contrast_ratio(background, "#000000") >= contrast_ratio(background, "#ffffff")
        else "#ffffff"
    )


def darken_until_readable(colour: str, against: str = "#ffffff", ratio: float = 4.5) -> str:
    """``colour`` darkened in small steps until it reaches ``ratio`` against ``against`` (used
    for links and focus rings drawn in the brand colour on a white page)."""
    h = colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    for _step in range(100):
        candidate = f"#{r:02x}{g:02x}{b:02x}"
        if contrast_ratio(candidate, against) >= ratio:
            return candidate
        r, g, b = (max(0, int(c * 0.92)) for c in (r, g, b))
    return "#000000"
