"""axe-core on the main pages: no serious or critical accessibility violations, no other origin.

Public sector bodies must meet the accessibility regulations (WCAG 2.2 AA); axe finds the
failures a machine can find. It runs in a context allowed to inject it past the pages'
Content-Security-Policy; everything else about the pages is as served.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import AXE, LOOPBACK, LiveApp, Tab

pytestmark = pytest.mark.browser

# Pages answered 400 on purpose: a form refused, with its errors shown.
REFUSED = {
    "/duties/?as_of-day=31&as_of-month=2&as_of-year=2026",
    "/reports/annual?start-day=1&start-month=&start-year=2025&end-day=x&end-month=5",
}
PAGES = [
    ("/maps/", True),
    ("/maps/?contrast=high", True),
    ("/maps/establishments/HAL-COMAH-01", True),
    ("/maps/pipelines/HAL-MAHP-ETH?contrast=high", True),
    ("/", False),
    ("/establishments/", False),
    ("/establishments/HAL-COMAH-01", False),
    # Its form, with the date boxes of the operator's information and its public information.
    ("/establishments/HAL-COMAH-01/edit", False),
    ("/transfer/", False),
    ("/duties/", False),  # the council's duties and, apart, the partners'
    # Forms with day, month and year boxes, blank and refused (the error summary, marked boxes).
    ("/plans/PLAN-RUNCORN-SITE/reviews/new", False),
    # A plan, its form (the decision not to prepare it among the radios), a letter and the duties.
    ("/plans/PLAN-RUNCORN-SITE", False),
    ("/plans/PLAN-RUNCORN-SITE/edit", False),
    ("/plans/PLAN-RUNCORN-SITE/letters?purpose=prepare_basis", False),
    ("/duties/", False),
    *((path, False) for path in sorted(REFUSED)),
]
# Plain links that load nothing: the licence the footer names.
ALLOWED_LINKS = {"https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}
REFERENCES_JS = """() => [...document.querySelectorAll('[src], [href], [action]')]
    .map(e => e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('action'))"""


def _describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in violations
    )


@pytest.mark.parametrize(("path", "is_map"), PAGES)
def test_page_has_no_serious_accessibility_failures(
    axe_tab: Tab, live_app: LiveApp, offsite: list[str], artifacts: Path, path: str, is_map: bool
) -> None:
    if is_map:
        axe_tab.open_map(live_app(path))
    else:
        axe_tab.page.goto(live_app(path))
    references: list[str] = axe_tab.page.evaluate(REFERENCES_JS)
    for reference in references:
        host = urlsplit(reference).hostname
        assert host is None or host in LOOPBACK or reference in ALLOWED_LINKS, reference
    axe_tab.page.add_script_tag(path=str(AXE))
    result = axe_tab.page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', "
        "values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
    )
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], _describe(serious)
    assert offsite == []
    own_status = "the server responded with a status of 400"
    assert [e for e in axe_tab.errors if not (path in REFUSED and own_status in e)] == []
