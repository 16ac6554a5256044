"""Log-in, log-out, idle time and demo mode through AppTest, on a store that is not the demo:
every way into a page asks who you are first, and nothing falls back to an account."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from alignment.access import accounts
from alignment.access.permissions import COMMAND_LINE
from alignment.company.sample import load_sample
from alignment.edges.store import open_store
from alignment.shared import clock
from tests.app.conftest import PASSWORD
from tests.app.conftest import ROOT
from tests.app.conftest import query
from tests.conftest import DEMO_TODAY


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def log_in(at: AppTest, email: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="login_email").set_value(email)
    at.text_input(key="login_password").set_value(password)
    return at.button(key="FormSubmitter:login-Log in").click().run()


def test_visitors_see_only_the_log_in_page(team_url):
    at = app().run()
    assert at.title[0].value == "Log in to SamePage"
    assert not at.metric and not at.sidebar.selectbox


def test_a_correct_log_in_opens_samepage_and_log_out_ends_it(team_url):
    at = log_in(app().run(), "cfo@team.example")
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert any(r"Logged in as CFO \(CFO\)" in c.value for c in at.sidebar.caption)
    at.button(key="log_out").click().run()
    assert at.title[0].value == "Log in to SamePage"
    assert "You are logged out." in at.warning[0].value


def test_a_wrong_password_is_refused(team_url):
    at = log_in(app().run(), "cfo@team.example", "not the password")
    assert "do not match an active account" in at.error[0].value
    assert at.title[0].value == "Log in to SamePage"


def test_an_idle_session_is_logged_out(team_url):
    at = log_in(app().run(), "cmo@team.example")
    at.session_state["last_active"] = clock.timestamp() - 31 * 60
    at.run()
    assert at.title[0].value == "Log in to SamePage"
    assert "after 30 minutes without activity" in at.warning[0].value


def test_demo_mode_is_refused_on_a_store_that_is_not_the_demo(team_url, monkeypatch):
    monkeypatch.setenv("SAMEPAGE_DEMO", "1")
    at = app().run()
    assert at.title[0].value == "Log in to SamePage"
    assert "Demo mode is off" in at.info[0].value
    assert not at.sidebar.selectbox


@pytest.mark.parametrize(
    ("email", "sees_admin"),
    [
        ("admin@team.example", True),
        ("cfo@team.example", True),
        ("viewer@team.example", False),
        ("cmo@team.example", False),
    ],
)
def test_the_accounts_page_is_only_for_the_administrator_and_the_cfo(team_url, email, sees_admin):
    at = log_in(app().run(), email)
    if not sees_admin:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("pages/admin.py")
        return
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    assert at.title[0].value == "Accounts & settings"


SSO_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a-test-cookie-secret",
        "client_id": "samepage",
        "client_secret": "not-a-real-secret",
        "server_metadata_url": "https://id.example/.well-known/openid-configuration",
    }
}


def sso_app(email: str, **claims: object) -> AppTest:
    at = app()
    at.secrets = SSO_SECRETS
    at.user = {"is_logged_in": True, "email": email, "email_verified": True, **claims}
    return at


def test_single_sign_on_lets_in_an_address_with_an_account_in_its_role(team_url):
    at = sso_app("CMO@team.example").run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert any(r"Logged in as CMO \(CMO\)" in c.value for c in at.sidebar.caption)


def test_single_sign_on_refuses_an_address_without_an_account(team_url):
    at = sso_app("stranger@elsewhere.example").run()
    assert at.title[0].value == "Log in to SamePage"
    assert "has no SamePage account" in at.warning[0].value
    assert at.button(key="login_sso").label == "Log in with single sign-on"


def test_a_log_in_asks_the_browser_for_its_cookie_and_log_out_ends_the_session(team_url):
    at = app()
    at.context = {"url": "https://samepage.example/"}
    log_in(at.run(), "ceo@team.example")
    (pixel,) = at.sidebar.get("image")
    url = pixel.proto.imgs[0].url
    assert url.startswith("https://samepage.example/api/samepage/remember?ticket=")
    assert query(team_url, "SELECT count(*) FROM login_sessions WHERE ended_at IS NULL") == [(1,)]
    at.button(key="log_out").click().run()
    assert query(team_url, "SELECT count(*) FROM login_sessions WHERE ended_at IS NULL") == [(0,)]
    (forget,) = at.main.get("image")
    assert forget.proto.imgs[0].url == "https://samepage.example/api/samepage/forget"


def test_a_log_out_in_another_tab_ends_this_one_too(team_url):
    at = log_in(app().run(), "cmo@team.example")
    assert at.title[0].value == "Overview"
    engine = sa.create_engine(team_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE login_sessions SET ended_at = CURRENT_TIMESTAMP"))
    engine.dispose()
    at.run()
    assert at.title[0].value == "Log in to SamePage"
    assert "You logged out in another tab" in at.warning[0].value


def test_single_sign_on_refuses_an_address_the_provider_has_not_verified(team_url):
    for claims in ({"email_verified": False}, {"email_verified": None}):
        at = sso_app("cfo@team.example", **claims).run()
        assert at.title[0].value == "Log in to SamePage"
        assert "has not verified this e-mail address" in at.warning[0].value
        assert not at.sidebar.caption


def test_single_sign_on_older_than_twelve_hours_is_not_honoured(team_url):
    issued = clock.timestamp() - 13 * 3600
    at = sso_app("cfo@team.example", iat=issued).run()
    assert at.title[0].value == "Log in to SamePage"
    assert "older than 12 hours" in at.warning[0].value


def test_single_sign_on_is_in_the_audit_trail(team_url):
    at = sso_app("cmo@team.example").run()
    assert at.title[0].value == "Overview"
    events = query(team_url, "SELECT actor, new_value FROM audit_events WHERE action = 'log_in'")
    assert len(events) == 1 and "single sign-on" in str(events[0][1])
    assert events[0][0].startswith("CMO")


def test_a_log_out_in_another_tab_ends_a_single_sign_on_too(team_url):
    at = sso_app("cmo@team.example").run()
    assert at.title[0].value == "Overview"
    assert query(team_url, "SELECT count(*) FROM login_sessions WHERE ended_at IS NULL") == [(1,)]
    engine = sa.create_engine(team_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE login_sessions SET ended_at = CURRENT_TIMESTAMP"))
    engine.dispose()
    at.run()
    assert not any("Logged in as" in c.value for c in at.sidebar.caption)


def test_an_idle_single_sign_on_is_logged_out(team_url):
    at = sso_app("cmo@team.example").run()
    at.session_state["last_active"] = clock.timestamp() - 31 * 60
    at.run()
    assert not any("Logged in as" in c.value for c in at.sidebar.caption)
    assert query(team_url, "SELECT count(*) FROM login_sessions WHERE ended_at IS NULL") == [(0,)]


@pytest.mark.parametrize("page", ["requests", "overview", "admin", "budget", "definitions"])
def test_a_page_file_run_on_its_own_asks_who_you_are(team_url, page):
    """``streamlit run pages/<page>.py``, or a deep link that a fresh server routes straight
    to the page file: the log-in page, not the page as the first CEO."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Log in to SamePage"]
    assert not at.metric and not at.dataframe


def test_a_page_file_run_on_its_own_cannot_write_as_anyone(team_url):
    at = AppTest.from_file(str(ROOT / "pages" / "requests.py"), default_timeout=60).run()
    assert not at.text_input(key="login_email").value
    assert "request_new_0_title" not in [t.key for t in at.text_input]
    assert query(team_url, "SELECT count(*) FROM requests") == [(0,)]


def test_a_page_file_run_on_its_own_opens_after_a_log_in(team_url):
    at = AppTest.from_file(str(ROOT / "pages" / "requests.py"), default_timeout=60).run()
    log_in(at, "ceo@team.example")
    assert not at.exception
    assert at.title[0].value == "Requests and decisions"


def _demo_store_with(tmp_path, monkeypatch, give_account) -> str:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'was-demo.db'}"
    store = open_store(url)
    with store.session() as session:
        load_sample(session, COMMAND_LINE, today=DEMO_TODAY)
        give_account(session)
    store.close()
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", url)
    monkeypatch.setenv("SAMEPAGE_DEMO", "1")
    return url


def _add_admin(session) -> None:  # type: ignore[no-untyped-def]
    accounts.add_user(session, COMMAND_LINE, "it@team.example", "IT", "admin", PASSWORD)


def _add_sso_cfo(session) -> None:  # type: ignore[no-untyped-def]
    accounts.add_user(session, COMMAND_LINE, "dana@team.example", "Dana", "CFO", None)


def _password_for_the_cfo(session) -> None:  # type: ignore[no-untyped-def]
    cfo = next(a for a in accounts.accounts(session, COMMAND_LINE) if a.role == "CFO")
    accounts.change_account(session, COMMAND_LINE, cfo.id, password=PASSWORD)


@pytest.mark.parametrize("give_account", [_add_admin, _add_sso_cfo, _password_for_the_cfo])
def test_a_demo_store_given_an_account_has_no_role_picker(tmp_path, monkeypatch, give_account):
    """Loaded from the sample, then given a real account: demo mode is over for good, so
    ``SAMEPAGE_DEMO=1`` no longer lets anyone act as the CFO without a password."""
    _demo_store_with(tmp_path, monkeypatch, give_account)
    at = app().run()
    assert at.title[0].value == "Log in to SamePage"
    assert not at.sidebar.selectbox
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/definitions.py")


def test_demo_mode_never_loads_the_demo_into_an_empty_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", url)
    monkeypatch.setenv("SAMEPAGE_DEMO", "1")
    at = app().run()
    assert at.title[0].value == "Log in to SamePage"
    assert query(url, "SELECT count(*) FROM company_settings") == [(0,)]
    assert query(url, "SELECT count(*) FROM users") == [(0,)]
