"""The one place that turns stored codes (statuses, strategies, audit actions...) into words for people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.common.audit_actions import RENAMED, AuditAction
from app.common.time import to_zone

# kind -> code -> label. Keys are the values stored in the database (enum values, audit actions).
LABELS: dict[str, dict[str, Any]] = {
    "post_status": {
        "awaiting_partner": _l("awaiting partner"),
        "queued": _l("queued"),
        "sending": _l("sending"),
        "posted": _l("posted"),
        "unknown_outcome": _l("outcome unknown"),
        "failed": _l("failed"),
        "missed": _l("missed"),
        "held": _l("held"),
        "cancelled": _l("cancelled"),
    },
    "attempt_outcome": {
        "started": _l("in progress"),
        "posted": _l("posted"),
        "found": _l("found already posted"),
        "lookup_absent": _l("looked up: not there, sent again with the same key"),
        "lookup_failed": _l("could not look it up on the platform"),
        "rejected": _l("refused by the platform"),
        "server_error": _l("platform error (may have been posted)"),
        "unknown": _l("no answer (may have been posted)"),
        "error": _l("error (may have been posted)"),
        "transient": _l("temporary problem, tried again"),
        "auth_refused": _l("credentials refused"),
        "rate_limited": _l("too many posts, waited"),
        "lease_expired": _l("interrupted (may have been posted)"),
        "held": _l("held"),
        "missed": _l("missed"),
    },
    "held_reason": {
        "campaign_not_active": _l("the campaign is not active"),
        "credentials_refused": _l("the platform refused the channel's credentials"),
        "recheck_failed": _l("the checks found a problem just before sending"),
        "paused": _l("publishing is paused"),
    },
    "held_next_step": {
        "campaign_not_active": _l("Set the campaign back to active, then resume the post below."),
        "credentials_refused": _l("Re-authorise the channel on its page, then resume the post below."),
        "recheck_failed": _l(
            "Edit the message so the checks pass and have it approved again, then schedule it."
        ),
        "paused": _l(
            "Publishing resumes when an admin lifts the pause on the Posts page; nothing to do here."
        ),
    },
    "message_status": {
        "draft": _l("Draft"),
        "in_review": _l("In review"),
        "changes_requested": _l("Changes requested"),
        "approved": _l("Approved"),
        "rejected": _l("Rejected"),
        "archived": _l("Archived"),
        "expired": _l("approval expired"),
    },
    "campaign_status": {
        "planning": _l("Planning"),
        "active": _l("Active"),
        "paused": _l("Paused"),
        "completed": _l("Completed"),
        "archived": _l("Archived"),
    },
    "trend_status": {
        "new": _l("New"),
        "monitoring": _l("Monitoring"),
        "responding": _l("Responding"),
        "escalated": _l("Escalated"),
        "closed": _l("Closed"),
    },
    "strategy": {
        "facts": _l("Correct the misperception"),
        "question": _l("Ask a genuine question"),
        "hypocrisy": _l("Point out a contradiction"),
        "empathy_affiliation": _l("Empathy and perspective-taking"),
        "denouncing": _l("Name the content as harmful"),
        "consequences": _l("Describe the harm to people"),
        "humor": _l("Light, kind humour"),
        "alternative": _l("Positive, alternative story"),
    },
    "version_source": {
        "ai": _l("AI draft"),
        "offline": _l("offline draft"),
        "human": _l("written by a person"),
    },
    "target_group": {
        "MUSLIMS": _l("Muslims"),
        "MIGRANTS": _l("Migrants"),
        "JEWS": _l("Jewish people"),
        "LGBT+": _l("LGBT+ people"),
        "POC": _l("People of colour"),
        "WOMEN": _l("Women"),
        "DISABLED": _l("Disabled people"),
        "ROMA": _l("Roma"),
        "OTHER": _l("Other groups"),
    },
    "author_kind": {
        "unknown": _l("Unknown"),
        "individual": _l("Individual"),
        "organisation": _l("Organisation"),
        "media": _l("Media"),
        "political": _l("Political figure"),
        "bot": _l("Automated account"),
    },
    "platform": {
        "x": "X",
        "mastodon": "Mastodon",
        "bluesky": "Bluesky",
        "threads": "Threads",
        "telegram": "Telegram",
        "facebook": "Facebook",
        "linkedin": "LinkedIn",
        "instagram": "Instagram",
        "tiktok": "TikTok",
        "youtube": "YouTube",
        "webhook": _l("Webhook"),
        "manual": _l("Manual posting"),
    },
    "language": {"en": _l("English"), "fr": _l("French")},
    "role": {"staff": _l("Staff"), "lead": _l("Coalition lead"), "admin": _l("Admin")},
    "audit_action": {
        AuditAction.API_TOKEN_CREATED: _l("API token created"),
        AuditAction.API_TOKEN_REVOKED: _l("API token revoked"),
        AuditAction.APPROVAL_REVOKED: _l("Approval withdrawn"),
        AuditAction.AUTH_SIGNED_IN: _l("Signed in"),
        AuditAction.AUTH_SIGN_IN_FAILED: _l("Sign-in failed"),
        AuditAction.AUTH_SIGN_IN_REFUSED: _l("Sign-in refused (account deactivated)"),
        AuditAction.AUTH_SIGNED_OUT: _l("Signed out"),
        AuditAction.AUTH_MFA_FAILED: _l("Wrong second-factor code"),
        AuditAction.AUTHZ_DENIED: _l("Access refused"),
        AuditAction.CAMPAIGN_CREATED: _l("Campaign created"),
        AuditAction.CAMPAIGN_DRAFTS_REQUESTED: _l("Drafts requested"),
        AuditAction.CAMPAIGN_STATUS_CHANGED: _l("Campaign status changed"),
        AuditAction.CAMPAIGN_UPDATED: _l("Campaign edited"),
        AuditAction.CAMPAIGN_KNOWLEDGE_ADDED: _l("Fact added to the knowledge list"),
        AuditAction.CAMPAIGN_KNOWLEDGE_MOVED: _l("Knowledge list reordered"),
        AuditAction.CAMPAIGN_KNOWLEDGE_REMOVED: _l("Fact removed from the knowledge list"),
        AuditAction.ENGAGEMENT_RECORDED: _l("Engagement counts recorded"),
        AuditAction.CHANNEL_ARCHIVED: _l("Channel archived"),
        AuditAction.CHANNEL_SERVER_DETECTED: _l("Channel's server software detected"),
        AuditAction.CHANNEL_CREATED: _l("Channel added"),
        AuditAction.CHANNEL_CREDENTIALS_REAUTH_FAILED: _l("Channel re-authorisation failed"),
        AuditAction.CHANNEL_CREDENTIALS_REPLACED: _l("Channel credentials replaced"),
        AuditAction.CHANNEL_KEYS_ROTATED: _l("Encryption keys rotated"),
        AuditAction.CHANNEL_REAUTH_REQUIRED: _l("Channel needs re-authorisation"),
        AuditAction.CHANNEL_PAUSED: _l("Channel paused"),
        AuditAction.CHANNEL_RESUMED: _l("Channel resumed"),
        AuditAction.CHANNEL_TESTED: _l("Channel tested"),
        AuditAction.CHANNEL_UPDATED: _l("Channel edited"),
        AuditAction.MESSAGE_APPROVAL_EXPIRED: _l("Approval expired"),
        AuditAction.MESSAGE_APPROVED: _l("Message approved"),
        AuditAction.MESSAGE_ARCHIVED: _l("Message archived"),
        AuditAction.MESSAGE_COMMENTED: _l("Comment added"),
        AuditAction.MESSAGE_CREATED: _l("Message created"),
        AuditAction.MESSAGE_SUBMITTED: _l("Message submitted for review"),
        AuditAction.MESSAGE_VERSION_SAVED: _l("New version saved"),
        AuditAction.MESSAGE_REREAD: _l("Second reading by the model"),
        AuditAction.ORGANISATION_CREATED: _l("Organisation created"),
        AuditAction.POST_CANCELLED: _l("Post cancelled"),
        AuditAction.POST_FAILED: _l("Post failed"),
        AuditAction.POST_LEASE_EXPIRED: _l("Sending interrupted"),
        AuditAction.POST_MARKED_POSTED: _l("Post marked as posted"),
        AuditAction.POST_PARTNER_ACCEPTED: _l("Partner accepted a post"),
        AuditAction.POST_PARTNER_DECLINED: _l("Partner declined a post"),
        AuditAction.POST_PUBLISHED: _l("Post published"),
        AuditAction.POST_RESCHEDULED: _l("Post rescheduled"),
        AuditAction.POST_MOVED: _l("Post moved to another slot"),
        AuditAction.POST_RESUMED: _l("Post resumed"),
        AuditAction.POST_SCHEDULED: _l("Post scheduled"),
        AuditAction.POST_MARKED_NOT_POSTED: _l("Post marked as not posted"),
        AuditAction.POST_UNCONFIRMED: _l("Post outcome unknown"),
        AuditAction.POST_COPY_DELETED: _l("Extra copy of a post deleted"),
        AuditAction.POST_DUPLICATES_FOUND: _l("Extra copies of a post found"),
        AuditAction.POST_CAMPAIGN_HOLD_RELEASED: _l("Posts released: campaign active again"),
        AuditAction.PUBLISHING_PAUSED: _l("Publishing paused"),
        AuditAction.PUBLISHING_RESUMED: _l("Publishing resumed"),
        AuditAction.TREND_CREATED: _l("Trend recorded"),
        AuditAction.TREND_EVIDENCE_ADDED: _l("Evidence added"),
        AuditAction.TREND_EVIDENCE_DELETED: _l("Evidence deleted"),
        AuditAction.TREND_EVIDENCE_EDITED: _l("Evidence edited"),
        AuditAction.TREND_IMPORTED: _l("Trends imported"),
        AuditAction.TREND_OBSERVATION_DELETED: _l("Observation deleted"),
        AuditAction.TREND_OBSERVATION_EDITED: _l("Observation edited"),
        AuditAction.TREND_OBSERVATIONS_RECORDED: _l("Observations recorded"),
        AuditAction.TREND_STATUS_CHANGED: _l("Trend status changed"),
        AuditAction.TREND_UPDATED: _l("Trend edited"),
        AuditAction.USER_ACTIVATED: _l("Account reactivated"),
        AuditAction.USER_CREATED: _l("Person added"),
        AuditAction.USER_DEACTIVATED: _l("Account deactivated"),
        AuditAction.USER_MFA_DISABLED: _l("Two-step sign-in turned off"),
        AuditAction.USER_MFA_ENABLED: _l("Two-step sign-in turned on"),
        AuditAction.USER_MFA_RESET: _l("Two-step sign-in reset"),
        AuditAction.USER_PASSWORD_CHANGED: _l("Password changed"),
        AuditAction.USER_ROLE_CHANGED: _l("Role changed"),
        AuditAction.USER_SIGNED_OUT_EVERYWHERE: _l("Signed out everywhere"),
        AuditAction.MESSAGE_CHANGES_REQUESTED: _l("Changes requested"),
        AuditAction.MESSAGE_REJECTED: _l("Message rejected"),
        AuditAction.POST_HELD: _l("Post held"),
        AuditAction.POST_MISSED: _l("Post missed"),
    },
    "object_type": {
        "Post": _l("Post"),
        "User": _l("Person"),
        "Trend": _l("Trend"),
        "Message": _l("Message"),
        "Campaign": _l("Campaign"),
        "Organisation": _l("Organisation"),
        "Channel": _l("Channel"),
        "ApiToken": _l("API token"),
        "Evidence": _l("Evidence"),
        "Observation": _l("Observation"),
        "KnowledgeItem": _l("Fact"),
        "MessageVersion": _l("Version"),
        "PublishingPause": _l("Publishing pause"),
    },
    "via": {"web": _l("the website"), "api": _l("the API"), "cli": _l("the command line")},
    "detail_key": {
        "dropped_off_request": _l("drafts dropped (not what was asked)"),
        "dropped_duplicates": _l("duplicate drafts dropped"),
        "hash": _l("text fingerprint"),
        "content_hash": _l("text fingerprint"),
        "humor_acknowledged": _l("humour risk accepted"),
        "override_reason": _l("reason for overriding"),
        "status": _l("status"),
        "from": _l("from"),
        "to": _l("to"),
        "reason": _l("reason"),
        "message": _l("message"),
        "url": _l("address"),
        "late": _l("late"),
        "email": _l("e-mail"),
        "role": _l("role"),
        "name": _l("name"),
        "platform": _l("platform"),
        "channel": _l("channel"),
        "count": _l("count"),
        "version": _l("version"),
        "scheduled_at": _l("slot"),
        "remote_id": _l("platform id"),
        "title": _l("title"),
        "comment": _l("comment"),
        "path": _l("page"),
        "created": _l("created"),
        "updated": _l("updated"),
        "skipped": _l("skipped"),
        "rows": _l("rows"),
        "ip": _l("IP address"),
        "via": _l("through"),
        "fields": _l("fields"),
        "source": _l("source"),
        "item": _l("item"),
        "source_url": _l("source address"),
        "prefix": _l("token start"),
        "evidence_id": _l("evidence"),
        "changed": _l("changed"),
        "worker": _l("worker"),
        "tries": _l("tries"),
        "strategy": _l("strategy"),
        "slug": _l("short name"),
        "remote_url": _l("address on the platform"),
        "position": _l("position"),
        "ok": _l("worked"),
        "language": _l("language"),
        "detail": _l("detail"),
        "days": _l("days"),
        "credentials_set": _l("credentials given"),
        "channel_id": _l("channel"),
        "version_id": _l("version"),
        "message_id": _l("message"),
        "post_id": _l("post"),
    },
}

# kind -> old code -> the code it became: rows keep the name they were written under (append-only trail).
RENAMED_CODES: dict[str, dict[str, AuditAction]] = {"audit_action": RENAMED}

# Details that mean nothing to a person (fingerprints kept for investigators in the database).
HIDDEN_DETAILS = frozenset({"key_hash", "prompt_hash", "idempotency_key"})
FINGERPRINTS = frozenset({"hash", "content_hash"})  # shown short; the full value in a tooltip


def label(value: Any, kind: str, default: str | None = None) -> str:
    """The translated words for a stored code; an unknown code reads as words (or `default`), never a raw key."""
    if value is None or value == "":
        return "—" if default is None else default
    code = str(value)
    code = RENAMED_CODES.get(kind, {}).get(code, code)
    found = LABELS.get(kind, {}).get(code)
    if found is not None:
        return str(found)
    return code.replace("_", " ").replace(".", " · ") if default is None else default


def audit_details(details: dict[str, Any] | None) -> list[tuple[str, str, str | None]]:
    """An audit event's details as (words, value, full value) triples: no empty values, yes/no, short hashes."""
    shown: list[tuple[str, str, str | None]] = []
    for key, value in (details or {}).items():
        if value is None or value == "" or key in HIDDEN_DETAILS:
            continue
        if key in FINGERPRINTS and isinstance(value, str):
            shown.append((label(key, "detail_key"), value[:12] + "…", value))
            continue
        shown.append((label(key, "detail_key"), _detail_value(key, value), None))
    return shown


def _detail_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list | tuple):
        return ", ".join(label(item, "detail_key") if key == "fields" else str(item) for item in value)
    if key in ("role", "strategy", "via"):
        return label(value, key)
    if isinstance(value, str):
        kind = next((kind for kind in CODE_KINDS if value in LABELS[kind]), None)
        return label(value, kind) if kind else value
    return str(value)


# Kinds whose codes may appear as audit detail values (statuses before and after a change, sources).
CODE_KINDS = ("post_status", "message_status", "campaign_status", "trend_status", "version_source")


def labels(values: Any, kind: str) -> str:
    """Several codes as one comma-separated list of words."""
    return ", ".join(label(value, kind) for value in values or ()) or "—"


def reader_zone() -> str:
    """The time zone of the person reading: their organisation's, else UTC."""
    return zone_of(current_user)


def zone_of(user: Any) -> str:
    """A person's time zone: their organisation's, else UTC."""
    organisation = getattr(user, "organisation", None) if user else None
    return getattr(organisation, "time_zone", None) or "UTC"


def when(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M", zone: str | None = None) -> str:
    """A stored UTC time in the reader's time zone, with the zone named: "2026-11-29 12:48 (Europe/Paris)"."""
    zone = zone or reader_zone()
    local = to_zone(value, zone)
    return f"{local.strftime(fmt)} ({zone})" if local else "—"
