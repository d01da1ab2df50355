"""Every main page, rendered in French, shows no English left over and no internal code."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import JSON, String, Text, select

from app.accounts.models import User
from app.audit.services import record
from app.campaigns.models import Campaign
from app.channels.models import Channel
from app.checks import Finding
from app.common.audit_actions import AuditAction
from app.demo import seed_demo
from app.drafting.models import Message
from app.extensions import db
from app.publishing.models import Post, PostAttempt, PostStatus
from app.trends.models import Trend

PASSWORD = "demo password for french pages"
VISIBLE_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
# Words that read the same in both languages, product and platform names.
SAME_IN_BOTH = {
    "Counterpoint",
    "Mastodon",
    "Bluesky",
    "Telegram",
    "Webhook",
    "Instagram",
    "Facebook",
    "Français",
    "English",
    "Email",
    "E-mail",
    "API",
    "CSV",
    "JSON",
    "iCal",
    "Total",
    "Date",
    "Message",
    "Messages",
    "Campagnes",
    "Campaign",
    "Minutes",
    "Description",
    "Notes",
    "Source",
    "Sources",
    "Tendances",
    "Action",
    "Actions",
    "Max",
    "Page",
    "URL",
    "Art.",
    "OK",
    "Audit",
    "Organisation",
    "Organisations",
    "Type",
    "Format",
    "Mobile",
    "Public",
    "Version",
    "Versions",
    "Contact",
    "Article",
    "Image",
    "Images",
    "Texte",
    "Statut",
    "Post",
    "Posts",
    "Nouveau",
    "Important",
    "Europe/Paris",
    "Europe/Brussels",
    "UTC",
    "Lead",
    "Staff",
    "Admin",
    "Demo NGO",
    "Partner NGO",
    "Sam Staff",
    "Lee Lead",
    "Ada Admin",
    "Paz Partner",
    "#",
    "Dashboard",
    "Suggestions",
    "Options",
    "Menu",
    "Information",
    "Applications",
    "Journal",
    "Hashtags",
    "Volume",
    "Note",
    "Plan",
    "Mode",
    "Dates",
    "Threads",
    "LinkedIn",
    "X",
    "e-mail",
}
TIME = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?|\d{2}:\d{2}|\([A-Za-z_]+/[A-Za-z_]+\)|\(UTC\)")
# Codes the app uses internally; a person must never see them as words.
RAW_CODE = re.compile(
    r"\b(in_review|unknown_outcome|changes_requested|campaign_not_active|credentials_refused|"
    r"recheck_failed|not_posted|target_group|author_kind|message\.(?:\w+)|tone\.\w+|facts\.\w+|"
    r"strategy\.\w+|None|True|False)\b"
)


class _Text(HTMLParser):
    """Visible text nodes and the visible attributes of an HTML page's <body>."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self._in_body = True
        if tag in ("script", "style", "template", "textarea", "pre", "code"):
            self._skip += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.texts.append(value.strip())
            if tag == "input" and name == "value" and dict(attrs).get("type") in ("submit", "button"):
                self.texts.append((value or "").strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "textarea", "pre", "code"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        text = " ".join(data.split())
        if self._in_body and not self._skip and text:
            self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.texts


# Stored codes and parameters, never words for people: a finding's words are rendered at display
# time, so they get no pass as "data" (they used to, when findings were stored as English text).
NOT_DATA = {("message_versions", "findings")}


def _stored_strings() -> set[str]:
    """Every text people typed or the demo stored: names, titles, message texts."""
    found: set[str] = set()
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if isinstance(c.type, String | Text | JSON) and (table.name, c.name) not in NOT_DATA
            ]
            if not columns:
                continue
            for row in connection.execute(select(*columns)):
                found.update(" ".join(v.split()) for v in _flatten(list(row)) if v)
    return found


def _flatten(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in (*value.keys(), *value.values()) for s in _flatten(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _flatten(v)]
    return [value] if isinstance(value, str) else []


def _is_data(text: str, stored: set[str]) -> bool:
    text = re.sub(r"^Message \d+$", "", TIME.sub("", text)).strip(" ·")
    parts = [p.strip(" ():").removesuffix("...").removesuffix("…").strip() for p in re.split(r" · |, ", text)]
    return all(_is_data_part(part, stored) for part in parts if part)


def _is_data_part(text: str, stored: set[str]) -> bool:
    if not re.search(r"[A-Za-zÀ-ÿ]{3,}", text) or text in SAME_IN_BOTH:
        return True
    if re.fullmatch(r"[\W\d]*[A-Z]{2,5}[\W\d]*|[a-z]{2}(-[A-Z]{2})?", text):  # country, language codes
        return True
    return any(text in value for value in stored if len(value) >= len(text)) or "@" in text


def _pages() -> dict[str, list[str]]:
    """Main pages per demo login."""
    trend = db.session.scalar(select(Trend).order_by(Trend.id))
    campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
    message = db.session.scalar(select(Message).order_by(Message.id))
    post = db.session.scalar(select(Post).order_by(Post.id))
    channel = db.session.scalar(select(Channel).order_by(Channel.id))
    common = [
        "/",
        "/trends/",
        f"/trends/{trend.id}",
        "/trends/new",
        "/campaigns/",
        f"/campaigns/{campaign.id}",
        f"/campaigns/{campaign.id}/knowledge",
        f"/campaigns/{campaign.id}/draft",
        f"/messages/{message.id}",
        "/checks",
        "/review/mine",
        "/notifications",
        "/channels/",
        f"/channels/{channel.id}",
        "/publishing/posts",
        f"/publishing/posts/{post.id}",
        "/publishing/calendar",
        "/account",
    ]
    lead = [
        *common,
        "/review",
        f"/review/messages/{message.id}",
        "/publishing/ready",
        "/publishing/partner-requests",
        "/publishing/manual",
        f"/publishing/schedule/{message.id}",
    ]
    admin = [*lead, "/admin/users", "/admin/organisations", "/admin/audit/", "/admin/tokens"]
    return {"staff@demo.example": common, "lead@demo.example": lead, "admin@demo.example": admin}


@pytest.fixture
def demo(app):
    """The demo, plus what a working week leaves: attempts with outcomes, a held post, audit details."""
    seed_demo(PASSWORD)
    db.session.execute(db.update(User).values(language=None))
    posts = db.session.scalars(select(Post).order_by(Post.id)).all()
    for outcome in ("rate_limited", "server_error", "posted"):
        db.session.add(PostAttempt(post=posts[0], outcome=outcome, http_status=503, worker_id="w1"))
    posts[-1].status, posts[-1].held_reason = PostStatus.HELD, "campaign_not_active"
    _with_findings_that_quote_numbers(db.session.scalar(select(Message).order_by(Message.id)))
    lead = db.session.scalar(select(User).where(User.email == "lead@demo.example"))
    record(
        AuditAction.POST_PUBLISHED,
        actor=lead,
        organisation=lead.organisation,
        obj=posts[0],
        details={"url": None, "late": True, "hash": "ab" * 32, "status": "queued", "from": "draft"},
    )
    db.session.commit()


def _with_findings_that_quote_numbers(message: Message) -> None:
    """The first message's saved findings, plus ones whose words quote numbers and a platform."""
    version = message.current_version
    platform = message.campaign.platforms[0]
    report = dict(version.findings[platform])
    end = min(5, len(version.text))
    extra = [
        Finding("readability.hard", "warning", 0, end, "sentence", (("n", 33),)),
        Finding("readability.hard", "warning", 0, end, "text", (("score", 41),)),
        Finding("amplification.evidence_overlap", "error", 0, end, params=(("n", 6),)),
        Finding(
            "length.over_limit",
            "error",
            0,
            end,
            params=(("platform", "webhook"), ("count", 612), ("limit", 500), ("excess", 112)),
        ),
    ]
    report["findings"] = [*report.get("findings", []), *(f.as_dict() for f in extra)]
    version.findings = {**version.findings, platform: report}
    version.has_errors = True


def _render(client, path: str, language: str) -> str:
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, f"{path} in {language}: {response.status_code}"
    return response.get_data(as_text=True)


@pytest.mark.parametrize("email", ["staff@demo.example", "lead@demo.example", "admin@demo.example"])
def test_every_main_page_in_french_has_no_english_left_and_no_internal_code(client, demo, email):
    client.post("/login", data={"email": email, "password": PASSWORD})
    stored = _stored_strings()
    problems: list[str] = []
    for path in _pages()[email]:
        english = set(visible_texts(_render(client, path, "en")))
        french = visible_texts(_render(client, path, "fr"))
        problems += [
            f"{path}: English left: {t!r}" for t in french if t in english and not _is_data(t, stored)
        ]
        problems += [
            f"{path}: internal code: {t!r}" for t in french if RAW_CODE.search(t) and not _is_data(t, stored)
        ]
    assert not problems, "\n".join(dict.fromkeys(problems))
