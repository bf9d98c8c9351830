"""Every section with data in it: fits a phone, passes an accessibility audit (axe-core) in
light and dark themes, and shows hostile titles, usernames, tags and texts as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from fixtures.database import METADATA_READ, add_review_row, add_unknown_row
from photomanager.domain.inbox import InboxMessage, MessageKind
from photomanager.domain.models import LogStatus, NewQueueItem, Source
from web.webtest_support import PHONE, SECTIONS, WIDE, LiveApp, PageRecorder

pytestmark = pytest.mark.browser

XSS_TITLE = "<img src=x onerror=alert(1)>"
XSS_USERNAME = "</script><script>alert(2)</script>"
XSS_TAG = "<img/src=x/onerror=alert(3)>"
XSS_BODY = "<b onmouseover=alert(4)>Lovely</b> work"
SERIOUS = ("serious", "critical")
# What each section shows once it holds data: the page is audited with it in place.
LOADED = {
    "overview": "#status-counts [data-count='pending']",
    "review": "#review-list .review-item",
    "inbox": "#inbox-list .inbox-item",
    "queue": "#queue-rows tr",
    "collect": "#tag-chips .chip",
    "templates": "#template-list .template-item",
    "outcomes": "#outcomes-rows tr",
    "log": "#log-rows tr",
    "settings": "#set-max_per_day[value], #set-max_per_day",
}
INJECTED = "img[src='x'], #main script, #main b, [onerror]"


@pytest.fixture
def filled(live_app: LiveApp) -> LiveApp:
    """Data in every section, third-party text hostile everywhere it can be."""
    container = live_app.container
    template = container.templates.create_template(
        title="Thanks", body="{Lovely|Great} work, {{author}}!"
    )
    assert live_app.api(
        "PUT", "/api/deviation-comments/settings", {"tags": ["watercolor"]}
    ).is_success
    now = datetime.now(UTC)

    def item(deviationid: str, minutes: int) -> NewQueueItem:
        return NewQueueItem(
            deviationid,
            Source.tag("watercolor"),
            now - timedelta(minutes=minutes),
            author=XSS_USERNAME,
            title=XSS_TITLE,
            tags=(XSS_TAG, "watercolor"),
            enriched_at=METADATA_READ,
        )

    add_review_row(container.uow_factory, item("HOSTILE-REVIEW", 3), now, body=XSS_BODY)
    add_unknown_row(container.uow_factory, "HOSTILE-UNKNOWN", now, title=XSS_TITLE, body=XSS_BODY)
    with container.uow_factory() as uow:
        uow.queue.add_deviation(item("HOSTILE-PENDING", 1), now)
        uow.logs.append(
            deviationid="HOSTILE-PENDING",
            status=LogStatus.FAILED,
            now=now,
            body=XSS_BODY,
            error_message=XSS_TITLE,
        )
        # A comment of ours that went out, and a deviant's hostile reply under it.
        uow.logs.append(
            deviationid="HOSTILE-SENT",
            status=LogStatus.SENT,
            now=now - timedelta(minutes=5),
            message_id=template.message_id,
            commentid=HOSTILE_OURS,
            body=XSS_BODY,
        )
        reply = hostile_reply(now)
        uow.inbox.add_messages([reply], now, our_commentids={reply.messageid: HOSTILE_OURS})
        stranger = InboxMessage(
            messageid="HOSTILE-FAVE",
            type="feedback.favourite",
            kind=MessageKind.FAVOURITE,
            ts=now,
            originator_username=XSS_USERNAME,
            deviationid="HOSTILE-OWN",
            deviation_title=XSS_TITLE,
            deviation_url="javascript:alert(7)",
        )
        uow.inbox.add_messages([stranger], now)
        uow.commit()
    return live_app


HOSTILE_OURS = "C0FFEE00-0000-0000-0000-000000000001"
XSS_REPLY = '<script>alert(5)</script><img src=x onerror=alert(6)> "thanks" & <b>hugs</b>'


def hostile_reply(now: datetime) -> InboxMessage:
    """A reply under our comment: hostile username, title and text, a link to another host."""
    return InboxMessage(
        messageid="HOSTILE-MESSAGE",
        type="feedback.reply",
        kind=MessageKind.REPLY,
        ts=now,
        originator_userid="HOSTILE-USER",
        originator_username=XSS_USERNAME,
        deviationid="HOSTILE-SENT",
        deviation_title=XSS_TITLE,
        deviation_url="https://deviantart.com.evil.example/art/1",
        commentid="C0FFEE00-0000-0000-0000-000000000002",
        parentid=HOSTILE_OURS,
        body=XSS_REPLY,
    )


def show(page: Page, live: LiveApp, section: str) -> None:
    """Open `section` and wait until its data is on screen."""
    page.goto(f"{live.url}/auto-comments#{section}")
    expect(page.locator(LOADED[section]).first).to_be_visible(timeout=20_000)


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is, briefly."""
    results = Axe().run(page)
    assert results.response["passes"], "axe-core checked nothing"  # it did run on the page
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "nodes": [node["target"] for node in violation["nodes"][:5]],
            "help": violation["help"],
        }
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


class TestAccessibility:
    @pytest.mark.parametrize("scheme", ["light", "dark"])
    def test_no_serious_violation_on_any_section(
        self, browser: Browser, filled: LiveApp, scheme: str
    ) -> None:
        """axe-core on each section with data in it: no serious or critical violation."""
        context = browser.new_context(viewport=WIDE, color_scheme=scheme)  # type: ignore[arg-type]
        page = context.new_page()
        found: dict[str, list[dict[str, Any]]] = {}
        try:
            for section, _ in SECTIONS:
                show(page, filled, section)
                violations = serious_violations(page)
                if violations:
                    found[section] = violations
        finally:
            context.close()
        assert found == {}


class TestPhone:
    def test_no_section_is_wider_than_a_phone(self, browser: Browser, filled: LiveApp) -> None:
        """At 390x844 no section scrolls sideways; the bar and the controls are reachable."""
        context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
        page = context.new_page()
        widths: dict[str, int] = {}
        small: dict[str, list[str]] = {}
        try:
            for section, _ in SECTIONS:
                show(page, filled, section)
                widths[section] = page.evaluate("document.documentElement.scrollWidth")
                small[section] = page.evaluate(SMALL_TARGETS)
        finally:
            context.close()
        assert widths == {section: widths[section] for section, _ in SECTIONS}
        assert {s: w for s, w in widths.items() if w > PHONE["width"]} == {}
        assert {s: t for s, t in small.items() if t} == {}


# Controls under 44 px both ways, on screen, named for the report. A control's label counts as
# part of it (a tap on the label works the control); links inside running text (a sentence, a
# table cell) are exempt, as WCAG 2.5.8 exempts inline targets.
SMALL_TARGETS = """() => {
  const area = (node) => {
    const boxes = [node, ...(node.labels || [])].map((n) => n.getBoundingClientRect())
      .filter((box) => box.width > 0);
    const edge = (pick, side) => pick(...boxes.map((b) => b[side]));
    return {
      width: edge(Math.max, "right") - edge(Math.min, "left"),
      height: edge(Math.max, "bottom") - edge(Math.min, "top"),
    };
  };
  return Array.from(document.querySelectorAll(
      'main button, main a, main input, main select, main textarea, main summary, nav a'))
    .filter((node) => node.offsetParent !== null && node.getBoundingClientRect().width > 1)
    .filter((node) => !(node.tagName === 'A' && node.closest('p, td, .hint')))
    .filter((node) => { const box = area(node); return box.height < 43.5 && box.width < 43.5; })
    .map((node) => node.id || node.getAttribute('aria-label')
      || node.textContent.trim().slice(0, 30));
}"""


class TestHostileText:
    def test_titles_usernames_tags_and_texts_stay_text_everywhere(
        self, page: Page, filled: LiveApp, recorder: PageRecorder
    ) -> None:
        """On every section: no element made of third-party text, no script run, no dialog."""
        for section, _ in SECTIONS:
            show(page, filled, section)
            assert page.locator(INJECTED).count() == 0, section
        show(page, filled, "review")
        held = page.locator('#review-list [data-deviationid="HOSTILE-REVIEW"]')
        expect(held.locator(".review-link")).to_have_text(XSS_TITLE)
        expect(held.locator(".author")).to_have_text(XSS_USERNAME)
        expect(held.locator(".meta-tags")).to_contain_text(f"#{XSS_TAG}")
        expect(held.locator(".review-text")).to_have_text(XSS_BODY)
        show(page, filled, "queue")
        row = page.locator('#queue-rows tr[data-deviationid="HOSTILE-PENDING"]')
        expect(row.locator(".deviation-title")).to_have_text(XSS_TITLE)
        expect(row.locator("td.author")).to_have_text(XSS_USERNAME)
        show(page, filled, "inbox")
        reply = page.locator("#inbox-list .inbox-item").first
        expect(reply.locator(".inbox-reply")).to_have_text(XSS_REPLY)
        expect(reply.locator(".inbox-from")).to_have_text(XSS_USERNAME)
        expect(reply.locator(".inbox-deviation")).to_have_text(XSS_TITLE)
        expect(reply.locator(".inbox-ours-text")).to_have_text(XSS_BODY)
        # Not a link: only https on deviantart.com (or a subdomain) is one.
        assert reply.locator("a.inbox-deviation").count() == 0
        page.select_option("#inbox-kind", "other")
        fave = page.locator('#inbox-list .inbox-item[data-kind="favourite"]')
        expect(fave.locator(".inbox-from")).to_have_text(XSS_USERNAME)
        expect(fave.locator(".inbox-deviation")).to_have_text(XSS_TITLE)
        assert fave.locator("a").count() == 0
        assert page.locator(INJECTED).count() == 0
        show(page, filled, "log")
        entry = page.locator("#log-rows tr").first
        expect(entry).to_contain_text(XSS_BODY)
        expect(entry.locator("td.error")).to_have_text(XSS_TITLE)
        assert recorder.dialogs == []
        assert recorder.page_errors == []
