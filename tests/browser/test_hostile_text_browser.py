"""Stored text that looks like HTML, Markdown or a formula shows as the text it is on every
page that displays it: no tag, no bold, no disguised link is ever made from it. (A bare web
address stays clickable, showing the address itself.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from alignment.access.users import demo_actors
from alignment.edges.store import open_store
from alignment.objectives.goals import GoalInput
from alignment.objectives.goals import create_goal
from alignment.shared.periods import current_month
from alignment.trust.checklist import add_item
from alignment.trust.request_log import raise_request
from tests.browser.conftest import screenshot
from tests.browser.conftest import wait_for_app
from tests.browser.test_overview_browser import act_as

pytestmark = pytest.mark.browser
HOSTILE = "=SUM(1) <b>tag</b> **stars** [link](http://evil.example) `code`"


@pytest.fixture(scope="module")
def hostile_server(server):  # type: ignore[no-untyped-def]
    """The demo company with HOSTILE as a request, a checklist statement and a goal."""
    store = open_store(server.database_url)
    with store.session() as session:
        people = {str(a.role): a for a in demo_actors(session)}
        raise_request(session, people["CEO"], f"Request {HOSTILE}", HOSTILE)
    with store.session() as session:
        add_item(session, people["CEO"], f"Statement {HOSTILE}")
    with store.session() as session:
        month = current_month()
        create_goal(
            session,
            people["CEO"],
            GoalInput(f"Goal {HOSTILE}", HOSTILE, "CMO", "short_term", month, month),
        )
    store.close()
    return server


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("requests", "Request "),
        ("checklist", "Statement "),
        ("goals", "Goal "),
        ("review", "Request "),
    ],
)
def test_stored_text_is_shown_as_typed(page: Page, hostile_server, path, shown):
    page.goto(f"{hostile_server.url}/{path}")
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(shown + HOSTILE).filter(visible=True).first).to_be_visible(
        timeout=30_000
    )
    screenshot(page, f"hostile-text-{path}")
    for link in main.locator('a[href*="evil.example"]').all():
        assert link.text_content() == link.get_attribute("href")
    assert main.locator("b", has_text="tag").count() == 0
    assert main.locator("strong", has_text="stars").count() == 0
    expect(page.get_by_test_id("stException")).to_have_count(0)


UPLOAD_NAME = "[link](http://evil.example) <b>tag</b> **stars** `code`.csv"
UPLOAD_HEADER = "<b>tag</b> **stars** [note](http://evil.example)"
UPLOAD_CHANNEL = "Paid <b>tag</b> **stars** [search](http://evil.example)"


def test_an_uploads_file_name_headers_and_channels_are_shown_as_typed(page: Page, server):
    """What a file brings (its name, a header, a channel) is shown as typed in the mapping
    question, the preview's captions and the new-channel message. Nothing is imported."""
    data = (
        "month,channel,campaign,actual_spend," + UPLOAD_HEADER + "\n"
        f"{current_month()},{UPLOAD_CHANNEL},Launch,1200,x\n"
    ).encode()
    page.goto(f"{server.url}/budget?budget_tab=Import")
    wait_for_app(page)
    act_as(page, "Priya Raman (CMO)")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": UPLOAD_NAME, "mimeType": "text/csv", "buffer": data}]
    )
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(f"The columns of {UPLOAD_NAME} are not SamePage's own")).to_be_visible(
        timeout=30_000
    )
    expect(main.get_by_text(f"Which column of {UPLOAD_NAME} holds each figure?")).to_be_visible()
    page.get_by_role("button", name="Use this mapping").click()
    wait_for_app(page)
    expect(main.get_by_text(f"{UPLOAD_NAME}: ", exact=False).first).to_be_visible(timeout=30_000)
    expect(main.get_by_text(f"Ignored columns: {UPLOAD_HEADER}.")).to_be_visible()
    expect(main.get_by_text(f"New channels: {UPLOAD_CHANNEL}.")).to_be_visible()
    screenshot(page, "hostile-text-upload")
    for link in main.locator('a[href*="evil.example"]').all():
        assert link.text_content() == link.get_attribute("href")
    assert main.locator("b", has_text="tag").count() == 0
    assert main.locator("strong", has_text="stars").count() == 0
    assert main.locator("code", has_text="code").count() == 0
    expect(page.get_by_test_id("stException")).to_have_count(0)
