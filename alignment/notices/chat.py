"""Chat by incoming webhook: Slack's ``{"text": ...}`` and a Teams workflow's Adaptive Card.

Slack documents an incoming webhook as a POST of JSON with ``text`` (the notification and
fallback) and, optionally, Block Kit ``blocks``. A Teams "When a Teams webhook request is
received" workflow (the successor of the retired Office 365 connectors) takes a message
whose attachment is an Adaptive Card. Any answer but 2xx, or no answer, is a
DeliveryFailed: the notice goes back to the outbox and is tried again.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from alignment.notices.delivery import DeliveryFailed
from alignment.notices.delivery import Outgoing
from alignment.shared.errors import ValidationFailed

TIMEOUT_SECONDS = 10
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
NAMES = {"slack": "Slack", "teams": "Microsoft Teams"}


def check_webhook_url(text: str, channel: str) -> str:
    """The address as it will be used, or a sentence: https only (a server on this machine
    may use http, for trying it out); empty switches the chat off."""
    url = (text or "").strip()
    if not url:
        return ""
    name = NAMES[channel]
    parsed = urllib.parse.urlsplit(url)
    local = parsed.hostname in LOCAL_HOSTS
    if parsed.scheme != "https" and not (parsed.scheme == "http" and local):
        raise ValidationFailed(
            f"The {name} webhook must be an https:// address (the one {name} gave you); "
            "nothing was changed."
        )
    if not parsed.hostname or any(c.isspace() for c in url) or len(url) > 500:
        raise ValidationFailed(f"'{url[:80]}' is not a web address; nothing was changed.")
    return url


def shown_address(url: str) -> str:
    """A webhook's address without its secret path, for the outbox page."""
    parsed = urllib.parse.urlsplit(url)
    return f"{parsed.scheme}://{parsed.netloc}/…" if parsed.netloc else ""


def slack_payload(subject: str, body: str) -> dict[str, Any]:
    return {
        "text": f"{subject}\n{body}",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": subject[:150]}},
            {"type": "section", "text": {"type": "plain_text", "text": body[:3000] or " "}},
        ],
    }


def teams_payload(subject: str, body: str) -> dict[str, Any]:
    """An Adaptive Card whose text is TextRuns: unlike a TextBlock, a TextRun renders no
    Markdown, so a title typed as ``[Pay now](https://...)`` arrives as typed, not as a
    link (as on every page of SamePage)."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {
                            "type": "RichTextBlock",
                            "inlines": [
                                {
                                    "type": "TextRun",
                                    "text": subject,
                                    "size": "Medium",
                                    "weight": "Bolder",
                                }
                            ],
                        },
                        *[
                            {
                                "type": "RichTextBlock",
                                "inlines": [{"type": "TextRun", "text": line}],
                            }
                            for line in (body.splitlines() or [" "])
                        ],
                    ],
                },
            }
        ],
    }


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook that redirects is an error: following it would turn the POST into a GET
    without the message (and could leave https), and the 2xx at its end would read as sent."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_NO_REDIRECTS = urllib.request.build_opener(_RefuseRedirects)


def post_chat(outgoing: Outgoing) -> None:
    payload = (
        slack_payload(outgoing.subject, outgoing.body)
        if outgoing.channel == "slack"
        else teams_payload(outgoing.subject, outgoing.body)
    )
    post_json(outgoing.address, payload, NAMES[outgoing.channel])


def post_json(url: str, payload: dict[str, Any], name: str) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _NO_REDIRECTS.open(request, timeout=TIMEOUT_SECONDS) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"The {name} webhook answered {exc.code} {exc.reason}.") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryFailed(f"The {name} webhook could not be reached: {reason}.") from None
    if not 200 <= status < 300:
        raise DeliveryFailed(f"The {name} webhook answered {status}.")
