"""The templates form while a save is in flight, in a real browser against the real app.

A slow save is a held route: the POST or PUT waits in `HeldSaves` until the test lets it
go, so every check waits on a state of the page, never on time.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Route, expect

from web.webtest_support import LiveApp, PageRecorder

pytestmark = pytest.mark.browser

MESSAGES = "/api/deviation-comments/messages"
# The list (create) and one template (edit); not its preview nor its usage.
SAVE_URL = re.compile(r"/api/deviation-comments/messages(/\d+)?$")
TITLE = "Praise"
BODY = "{Lovely|Great|Wonderful} work, {{author}}!"
FIELDS = ("#template-title", "#template-body", "#template-active")
BUTTONS = ("#template-save", "#template-reshuffle", "#template-cancel")


class HeldSaves:
    """Holds every save (POST, PUT) of a template; other requests go through untouched."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def __call__(self, route: Route) -> None:
        if route.request.method in ("POST", "PUT"):
            self.routes.append(route)
        else:
            route.continue_()

    def release(self, answer: Callable[[Route], None] = Route.continue_) -> None:
        """Let every held save go on (or answer it with `answer`)."""
        held, self.routes = self.routes, []
        for route in held:
            answer(route)


def open_page(page: Page, live: LiveApp) -> HeldSaves:
    """Open the page with template saves held, once the templates list has loaded."""
    held = HeldSaves()
    page.route(SAVE_URL, held)
    page.goto(live.url + "/auto-comments#templates")
    expect(page.locator("#template-list > li").first).to_be_visible()
    return held


def type_template(page: Page, title: str = TITLE, body: str = BODY) -> None:
    """Type a template the way the artist does, waiting for its preview."""
    page.fill("#template-title", title)
    page.fill("#template-body", body)
    expect(page.locator("#template-variants")).to_contain_text("possible variant")


def saved_titles(live: LiveApp) -> list[str]:
    """The titles of the templates the server holds, read through the API."""
    answer = live.api("GET", MESSAGES)
    assert answer.status_code == 200, answer.text
    return [template["title"] for template in answer.json()]


def expect_locked(page: Page) -> None:
    """Every field and button of the form is disabled and the form says it is busy."""
    expect(page.locator("#template-form")).to_have_attribute("aria-busy", "true")
    expect(page.locator("#template-save")).to_have_text(re.compile(r"^Saving"))
    for selector in FIELDS + BUTTONS:
        expect(page.locator(selector)).to_be_disabled()


def expect_unlocked(page: Page) -> None:
    """The form is usable again and no longer busy."""
    expect(page.locator("#template-form")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#template-save")).to_have_text("Save template")
    for selector in FIELDS + BUTTONS:
        expect(page.locator(selector)).to_be_enabled()


class TestSlowSave:
    def test_form_is_locked_while_the_save_is_in_flight(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder
    ) -> None:
        """During a slow save nothing in the form can be typed into or clicked."""
        held = open_page(page, live_app)
        type_template(page)
        page.click("#template-save")
        expect_locked(page)
        held.release()
        expect(page.locator("#template-list .template-item")).to_have_count(1)
        assert recorder.page_errors == []

    def test_double_click_saves_once(self, page: Page, live_app: LiveApp) -> None:
        """A double click on Save, then Enter, while saving: one request, one template."""
        held = open_page(page, live_app)
        type_template(page)
        page.dblclick("#template-save")
        expect_locked(page)
        # Enter in a field submits without the (now disabled) button.
        page.eval_on_selector("#template-form", "form => form.requestSubmit()")
        expect_locked(page)
        assert len(held.routes) == 1
        held.release()
        expect(page.locator("#template-list .template-item")).to_have_count(1)
        held.release()  # a second save, had one been sent, would reach the server now
        expect(page.locator("#template-flash")).to_have_text("Template saved.")
        assert saved_titles(live_app) == [TITLE]

    def test_success_resets_and_unlocks_the_form(self, page: Page, live_app: LiveApp) -> None:
        """Once saved, the form is empty, usable again, with the focus on the title."""
        held = open_page(page, live_app)
        type_template(page)
        page.click("#template-save")
        expect_locked(page)
        held.release()
        expect_unlocked(page)
        expect(page.locator("#template-title")).to_have_value("")
        expect(page.locator("#template-body")).to_have_value("")
        expect(page.locator("#template-preview li")).to_have_count(0)
        expect(page.locator("#template-title")).to_be_focused()
        expect(page.locator("#template-list .template-item")).to_have_count(1)
        assert saved_titles(live_app) == [TITLE]

    def test_edit_in_flight_returns_to_a_new_template(self, page: Page, live_app: LiveApp) -> None:
        """A slow edit locks the form too, and once done the form is for a new template."""
        created = live_app.api("POST", MESSAGES, {"title": TITLE, "body": BODY})
        assert created.status_code == 201, created.text
        held = open_page(page, live_app)
        page.get_by_role("button", name=f"Edit {TITLE}").click()
        expect(page.locator("#template-form-title")).to_have_text("Edit template")
        page.fill("#template-title", "Praise, edited")
        page.click("#template-save")
        expect_locked(page)
        held.release()
        expect_unlocked(page)
        expect(page.locator("#template-form-title")).to_have_text("New template")
        expect(page.locator("#template-title")).to_have_value("")
        assert saved_titles(live_app) == ["Praise, edited"]


class TestFailedSave:
    def test_unavailable_server_keeps_the_text(self, page: Page, live_app: LiveApp) -> None:
        """A 503 (server restarting) unlocks the form with the text kept and says so."""
        held = open_page(page, live_app)
        type_template(page)
        page.click("#template-save")
        expect_locked(page)
        held.release(lambda route: route.fulfill(status=503, body=""))
        expect_unlocked(page)
        expect(page.locator("#template-title")).to_have_value(TITLE)
        expect(page.locator("#template-body")).to_have_value(BODY)
        expect(page.locator("#template-flash")).to_have_class(re.compile("flash-error"))
        expect(page.locator("#template-flash")).to_contain_text("Your text is kept")
        assert saved_titles(live_app) == []

    def test_retry_after_a_network_error_saves(self, page: Page, live_app: LiveApp) -> None:
        """After an aborted save, Save again sends the kept text and it is saved once."""
        held = open_page(page, live_app)
        type_template(page)
        page.click("#template-save")
        expect_locked(page)
        held.release(lambda route: route.abort())
        expect(page.locator("#template-flash")).to_contain_text("cannot be reached")
        expect(page.locator("#template-save")).to_be_focused()
        page.click("#template-save")
        expect_locked(page)
        held.release()
        expect(page.locator("#template-list .template-item")).to_have_count(1)
        expect(page.locator("#template-title")).to_have_value("")
        assert saved_titles(live_app) == [TITLE]

    def test_refused_title_shows_under_the_field(self, page: Page, live_app: LiveApp) -> None:
        """A 422 for an empty title shows under the title; the body stays as typed."""
        held = open_page(page, live_app)
        type_template(page, title="")
        page.click("#template-save")
        expect_locked(page)
        held.release()
        expect_unlocked(page)
        expect(page.locator("#template-title-error")).to_be_visible()
        expect(page.locator("#template-title")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#template-title")).to_be_focused()
        expect(page.locator("#template-body")).to_have_value(BODY)
        page.fill("#template-title", TITLE)
        expect(page.locator("#template-title-error")).to_be_hidden()
        assert saved_titles(live_app) == []

    def test_refused_body_shows_its_position(self, page: Page, live_app: LiveApp) -> None:
        """A 422 for the body puts line and column under the body and keeps both fields."""
        held = open_page(page, live_app)
        # The live preview fails, so the position under the body can only come from the save.
        page.route(f"**{MESSAGES}/preview", lambda route: route.abort())
        page.fill("#template-title", "Broken")
        page.fill("#template-body", "{Lovely|Great work")
        expect(page.locator("#template-body-error")).to_contain_text("cannot be reached")
        page.click("#template-save")
        expect_locked(page)
        held.release()
        expect_unlocked(page)
        expect(page.locator("#template-body-error")).to_contain_text(re.compile(r"line 1:\d+"))
        expect(page.locator("#template-body")).to_be_focused()
        expect(page.locator("#template-title")).to_have_value("Broken")
        expect(page.locator("#template-body")).to_have_value("{Lovely|Great work")
        assert saved_titles(live_app) == []
