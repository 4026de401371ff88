"""Every dashboard page in headless Chromium, in every look (desktop and
phone, light and dark): it loads with 200, logs no console error, throws
nothing, breaks no rule of its Content-Security-Policy, loads every
subresource, fits a phone's width, reads with enough contrast, and leaves
a screenshot."""
import os
import re
import struct

import pytest

from browser_report import KNOWN_PAGES, LOOKS, visit



def csp_problems(policy):
    """What in a Content-Security-Policy would let markup from the database
    run or load: anything but the page's own origin for scripts and styles,
    no default of 'none', framing allowed."""
    if not policy:
        return ["no Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    problems = []
    if directives.get("default-src") != ["'none'"]:
        problems.append(f"default-src is {directives.get('default-src')}")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors is {directives.get('frame-ancestors')}")
    for name in ("script-src", "style-src", "script-src-elem", "style-src-elem", "script-src-attr",
                 "style-src-attr"):
        if name in directives and directives[name] not in (["'self'"], ["'none'"]):
            problems.append(f"{name} allows {directives[name]}")
    return problems


def test_header_links_every_known_page(browsed):
    """The pages visited are the header's, and one finding's own page."""
    assert browsed["pages"][0] == "/"
    assert set(KNOWN_PAGES) <= set(browsed["pages"]), browsed["pages"]
    nav = visit(browsed, "/")["data"]["nav"]
    details = [p for p in browsed["pages"] if re.fullmatch(r"/findings/[0-9]+", p)]
    assert len(details) == 1, browsed["pages"]
    for page in browsed["pages"][1:]:
        assert page in nav or page in details


@pytest.mark.parametrize("look", [lk["name"] for lk in LOOKS])
def test_every_page_loads_clean(browsed, look):
    problems = []
    for page in browsed["pages"]:
        v = visit(browsed, page, look)
        where = f"{page} ({look})"
        if v["status"] != 200:
            problems.append(f"{where}: HTTP {v['status']}")
        if not (v["contentType"] or "").startswith("text/html"):
            problems.append(f"{where}: content type {v['contentType']}")
        problems += [f"{where}: CSP: {p}" for p in csp_problems(v["csp"])]
        problems += [f"{where}: console error: {e}" for e in v["consoleErrors"]]
        problems += [f"{where}: uncaught: {e}" for e in v["pageErrors"]]
        problems += [f"{where}: CSP violation: {e}" for e in v["cspViolations"]]
        problems += [f"{where}: request failed: {e}" for e in v["failedRequests"]]
        problems += [f"{where}: {r['url']} answered {r['status']}" for r in v["subresources"] if r["status"] != 200]
        # The stylesheet loaded, once.
        css = [r for r in v["subresources"] if r["url"].endswith("/static/dashboard.css")]
        if len(css) != 1:
            problems.append(f"{where}: stylesheet loaded {len(css)} times")
    assert not problems, "\n".join(problems)


def test_violations_would_be_seen(browsed):
    """The checks above can fail: a style the CSP forbids, added to a served
    page, is reported both as a violation and on the console."""
    probe = browsed["probe"]
    assert [v["directive"] for v in probe["cspViolations"]] == ["style-src-elem"]
    assert len(probe["consoleErrors"]) == 1
    assert "Content Security Policy" in probe["consoleErrors"][0]


def overflow_problems(layout):
    problems = []
    if layout["scrollWidth"] > layout["innerWidth"]:
        problems.append(f"document is {layout['scrollWidth']} px wide")
    for t in layout["tables"]:
        if t["wider"] and not t["scrolled"]:
            problems.append(f"table {t['heading']!r} reaches {t['right']} px and nothing scrolls it")
    return problems


@pytest.mark.parametrize("look", ["phone", "phone-dark"])
def test_phone_has_no_horizontal_overflow(browsed, look):
    """At 390 px the page itself never scrolls sideways; a table wider than
    the screen scrolls inside its own box."""
    problems = []
    for page in browsed["pages"]:
        layout = visit(browsed, page, look)["layout"]
        assert layout["innerWidth"] == 390
        problems += [f"{page}: {p}" for p in overflow_problems(layout)]
    assert not problems, "\n".join(problems)


def test_overflow_would_be_seen(browsed):
    """The check above can fail: a wide table put into <main> outside any
    section widens a phone's page, and is named."""
    problems = overflow_problems(browsed["probe"]["layout"])
    assert len(problems) == 2 and problems[0].startswith("document is "), problems
    assert problems[1].startswith("table None reaches"), problems


def _rgb(css):
    inner = css[css.index("(") + 1:css.index(")")]
    return [float(x) for x in inner.replace("/", ",").split(",")[:3]]


def _luminance(rgb):
    def chan(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (chan(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("look", [lk["name"] for lk in LOOKS])
def test_text_contrast(browsed, look):
    """The page's text against its background passes WCAG AA (4.5:1) in
    every look, the dark colour scheme included."""
    for page in browsed["pages"]:
        layout = visit(browsed, page, look)["layout"]
        fg, bg = _luminance(_rgb(layout["color"])), _luminance(_rgb(layout["background"]))
        ratio = (max(fg, bg) + 0.05) / (min(fg, bg) + 0.05)
        assert ratio >= 4.5, f"{page} ({look}): contrast {ratio:.2f} of {layout['color']} on {layout['background']}"


def _png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("look", LOOKS, ids=[lk["name"] for lk in LOOKS])
def test_screenshots_saved(browsed, look):
    scale = 2 if look["mobile"] else 1
    for page in browsed["pages"]:
        path = visit(browsed, page, look["name"])["screenshot"]
        assert os.path.getsize(path) > 10_000, path
        width, height = _png_size(path)
        assert width == look["width"] * scale, (path, width)
        assert height >= look["height"] * scale, (path, height)  # the full page, at least one screen
