"""A keyboard alone does the login and the consents (#21 item 1): the first Tab reaches the skip
link, which is then visible and leads into the content; every stop shows where the focus is;
the order follows the page (login, password, the button); Tab goes through the whole page and
out of it, never held in a trap; the phone's 200 % text size leaves no page wider than the
screen; asked for reduced motion, nothing moves."""

from __future__ import annotations

import pytest

from identity.tests.test_browser import _in_own_connection, customer_logs_in

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
LOGIN, PASSWORD = "L0000123", "JeZi42#ro"

FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {
    tag: e.tagName, id: e.id, name: e.getAttribute('name'), cls: e.className,
    text: (e.innerText || e.value || '').trim().slice(0, 40),
    ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    inside: !!e.closest('main, header, footer'),
    visible: e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().left >= 0,
  };
}"""


@pytest.fixture
def jezioro():
    from demo.portals import load_demo_tenants

    _in_own_connection(lambda: load_demo_tenants(slugs=("jezioro",)))


def _tab_through(page, limit: int = 80) -> list[dict]:
    """Every stop of Tab from the top of the page until the focus leaves it (or ``limit``)."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop["tag"] == "BODY":
            break
        stops.append(stop)
    return stops


def test_the_skip_link_comes_first_and_leads_into_the_content(server, browser, jezioro):
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"http://jezioro.localhost:{server}/deklaracja-dostepnosci/")
    stops = _tab_through(page)
    assert stops[0]["cls"] == "skip-link"
    assert stops[0]["visible"]  # shown when focused
    assert all(stop["ring"] for stop in stops), [s for s in stops if not s["ring"]]
    assert len(stops) < 80  # Tab leaves the page: no trap
    page.reload()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["inside"]
    context.close()


def test_the_login_by_keyboard_alone(server, browser, jezioro):
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"http://jezioro.localhost:{server}/login/")
    assert page.evaluate(FOCUSED)["name"] == "login"  # the login field waits with the focus
    stops = _tab_through(page)
    assert all(stop["ring"] for stop in stops), [s for s in stops if not s["ring"]]
    names = [stop["name"] or stop["text"] for stop in stops]
    assert names[:3] == ["password", "remember", "Zaloguj się"]  # in the page's order
    assert len(stops) < 80
    page.reload()
    page.keyboard.type(LOGIN)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login/" not in page.url
    context.close()


def test_the_consents_by_keyboard_and_text_at_200_percent(server, browser, jezioro):
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = f"http://jezioro.localhost:{server}"
    customer_logs_in(page, base, LOGIN, PASSWORD)
    page.goto(f"{base}/account/consents/")
    stops = _tab_through(page, limit=120)
    assert all(stop["ring"] for stop in stops), [s for s in stops if not s["ring"]]
    button = next(
        s for s in stops if s["tag"] == "BUTTON" and s["text"] in ("Wyrażam zgodę", "Wycofaj zgodę")
    )
    assert button
    # text at twice its size (WCAG 1.4.4): nothing runs off the side of the phone's screen
    page.evaluate(  # through the CSSOM: the portal's CSP allows no inline style
        "document.documentElement.style.setProperty('font-size', '200%', 'important')"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width
    context.close()


MOVING = """() => {
  const probe = document.createElement("div");
  probe.textContent = "probe";
  probe.style.transition = "opacity 2s";  // set through the CSSOM, which the page's CSP allows
  probe.style.animation = "pulse 2s infinite";
  document.querySelector("main").appendChild(probe);
  return [...document.querySelectorAll("*")].filter(e => {
    const s = getComputedStyle(e);
    return parseFloat(s.transitionDuration) > 0
      || (s.animationName !== "none" && parseFloat(s.animationDuration) > 0);
  }).length;
}"""


@pytest.mark.parametrize(("preference", "moving"), [("reduce", False), ("no-preference", True)])
def test_reduced_motion_stills_even_what_a_page_would_move(
    server, browser, jezioro, preference, moving
):
    """Asked for reduced motion, nothing on a page moves: not even a transition and an endless
    animation given to an element of it (which move where the person has not asked: the check
    can fail)."""
    context = browser.new_context(
        locale="pl-PL", viewport={"width": 390, "height": 844}, reduced_motion=preference
    )
    page = context.new_page()
    try:
        page.goto(f"http://jezioro.localhost:{server}/login/")
        assert (page.evaluate(MOVING) > 0) is moving
    finally:
        context.close()
