"""The Notices page on a team's store, with password log-ins: the CEO's schedule and chat
webhooks (refused in a sentence, nothing changed), the administrator's outbox and button,
and each person's own notices."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import ROOT
from tests.app.conftest import query
from tests.app.test_login import log_in


def _open(email: str) -> AppTest:
    at = log_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run(), email)
    at.switch_page("pages/notices.py")
    return at.run()


def _errors(at: AppTest) -> list[str]:
    return [e.value.replace("\\", "") for e in at.error]


def test_the_ceo_sets_the_schedule_and_a_bad_one_is_refused_in_a_sentence(team_url):
    at = _open("ceo@team.example")
    assert not at.exception
    assert at.title[0].value == "Notices"
    at.text_input(key="rule_schedule_review").set_value("day 32")
    at.checkbox(key="rule_on_stale_month").uncheck()
    at = at.button(key="FormSubmitter:notice_rules-Save the notices' schedule").click().run()
    assert any("a day of the month is 1 to 31" in e for e in _errors(at))
    assert query(team_url, "SELECT kind FROM notice_rules") == []
    at.text_input(key="rule_schedule_review").set_value("day 31")
    at = at.button(key="FormSubmitter:notice_rules-Save the notices' schedule").click().run()
    assert not _errors(at)
    assert at.success[0].value == "The notices' schedule is saved."
    assert sorted(query(team_url, "SELECT kind, enabled, schedule FROM notice_rules")) == [
        ("review", 1, "day 31"),
        ("stale_month", 0, "every Monday"),
    ]


def test_a_chat_webhook_must_be_https(team_url):
    at = _open("ceo@team.example")
    at.text_input(key="webhook_slack").set_value("http://hooks.slack.example/x")
    at = at.button(key="FormSubmitter:notice_webhooks-Save the chat webhooks").click().run()
    assert any("must be an https:// address" in e for e in _errors(at))
    assert query(team_url, "SELECT slack_webhook_url FROM company_settings") in ([], [("",)])
    at.text_input(key="webhook_slack").set_value("https://hooks.slack.com/services/T/B/x")
    at = at.button(key="FormSubmitter:notice_webhooks-Save the chat webhooks").click().run()
    assert not _errors(at)
    assert query(team_url, "SELECT slack_webhook_url FROM company_settings") == [
        ("https://hooks.slack.com/services/T/B/x",)
    ]


def test_the_administrator_sends_what_is_due_and_reads_the_outbox(team_url, monkeypatch):
    monkeypatch.delenv("SAMEPAGE_SMTP_HOST", raising=False)
    at = _open("admin@team.example")
    assert not at.exception
    assert any("E-mail is not set up" in w.value.replace("\\", "") for w in at.warning)
    at = at.button(key="notify_now").click().run()
    assert not at.exception and not _errors(at)
    assert at.success[0].value.startswith("Notices for ")


def test_every_person_sees_their_own_notices_and_not_the_outbox(team_url, monkeypatch):
    at = _open("cfo@team.example")
    assert not at.exception
    assert "No notice has been addressed to you yet." in [i.value for i in at.info]
    assert not [s for s in at.subheader if s.value == "The outbox"]
    assert not [s for s in at.subheader if s.value == "Chat"]
