"""The SMTP settings (environment, then the secrets file) and the chat webhooks' checks."""

from __future__ import annotations

import pytest

from alignment.notices.chat import check_webhook_url
from alignment.notices.chat import shown_address
from alignment.notices.chat import teams_payload
from alignment.notices.mail import smtp_setup
from alignment.shared.errors import ValidationFailed


def test_without_a_host_e_mail_is_not_set_up(tmp_path):
    setup = smtp_setup({}, secrets_file=tmp_path / "none.toml")
    assert setup.settings is None
    assert setup.problem.startswith("E-mail is not set up: SAMEPAGE_SMTP_HOST is not set")


def test_the_secrets_file_is_read_and_the_environment_wins(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        'SAMEPAGE_SMTP_HOST = "mail.example.com"\nSAMEPAGE_SMTP_TLS = "tls"\n'
        'SAMEPAGE_SMTP_USER = "bot@example.com"\nSAMEPAGE_SMTP_PASSWORD = "pw"\n'
        '[auth]\nclient_id = "x"\n'
    )
    setup = smtp_setup({}, secrets_file=secrets)
    assert setup.settings is not None
    assert (setup.settings.host, setup.settings.port, setup.settings.tls) == (
        "mail.example.com",
        465,
        "tls",
    )
    assert setup.settings.sender == "bot@example.com"
    assert "pw" not in setup.settings.describe()
    env = smtp_setup({"SAMEPAGE_SMTP_HOST": "relay.local", "SAMEPAGE_SMTP_TLS": "none"}, secrets)
    assert env.settings is not None and (env.settings.host, env.settings.port) == (
        "relay.local",
        25,
    )


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SAMEPAGE_SMTP_TLS": "ssl"}, "it is none, starttls or tls"),
        ({"SAMEPAGE_SMTP_PORT": "smtp"}, "it is a port number"),
        ({"SAMEPAGE_SMTP_SENDER": ""}, "SAMEPAGE_SMTP_SENDER is not set"),
    ],
)
def test_a_bad_setting_is_named(tmp_path, env, says):
    setup = smtp_setup({"SAMEPAGE_SMTP_HOST": "h", **env}, secrets_file=tmp_path / "x.toml")
    assert setup.settings is None and says in setup.problem


def test_webhooks_are_https_and_shown_without_their_secret():
    url = "https://hooks.slack.com/services/T0/B0/secret"
    assert check_webhook_url(f"  {url} ", "slack") == url
    assert check_webhook_url("", "teams") == ""
    assert check_webhook_url("http://127.0.0.1:9000/hook", "teams").startswith("http://")
    for bad in ("http://hooks.slack.com/x", "ftp://x", "javascript:alert(1)"):
        with pytest.raises(ValidationFailed, match="must be an https:// address"):
            check_webhook_url(bad, "slack")
    assert shown_address(url) == "https://hooks.slack.com/…"


def test_the_teams_payload_is_an_adaptive_card_message():
    payload = teams_payload("Subject", "Body *not markdown*")
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["content"]["type"] == "AdaptiveCard"
    body = attachment["content"]["body"]
    assert {b["type"] for b in body} == {"RichTextBlock"}
    runs = [run for block in body for run in block["inlines"]]
    assert {run["type"] for run in runs} == {"TextRun"}, "a TextRun renders no Markdown"
    assert [run["text"] for run in runs] == ["Subject", "Body *not markdown*"]


def test_a_typed_link_reaches_teams_as_typed_text():
    payload = teams_payload("[Pay now](https://evil.example)", "Line one\nLine two")
    body = payload["attachments"][0]["content"]["body"]
    assert [block["inlines"][0]["text"] for block in body] == [
        "[Pay now](https://evil.example)",
        "Line one",
        "Line two",
    ]
    assert "'TextBlock'" not in str(payload)
