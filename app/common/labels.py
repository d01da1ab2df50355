"""The one place that turns stored codes (statuses, strategies, audit actions...) into words for people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

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
        "api_token.created": _l("API token created"),
        "api_token.revoked": _l("API token revoked"),
        "approval.revoke": _l("Approval withdrawn"),
        "auth.login": _l("Signed in"),
        "auth.login_failed": _l("Sign-in failed"),
        "auth.login_refused_inactive": _l("Sign-in refused (account deactivated)"),
        "auth.logout": _l("Signed out"),
        "auth.mfa_failed": _l("Wrong second-factor code"),
        "authz.denied": _l("Access refused"),
        "campaign.create": _l("Campaign created"),
        "campaign.draft": _l("Drafts requested"),
        "campaign.status": _l("Campaign status changed"),
        "campaign.update": _l("Campaign edited"),
        "campaign.knowledge.add": _l("Fact added to the knowledge list"),
        "campaign.knowledge.move": _l("Knowledge list reordered"),
        "campaign.knowledge.remove": _l("Fact removed from the knowledge list"),
        "engagement.recorded": _l("Engagement counts recorded"),
        "channel.archive": _l("Channel archived"),
        "channel.server_detected": _l("Channel's server software detected"),
        "channel.create": _l("Channel added"),
        "channel.credentials_reauth_failed": _l("Channel re-authorisation failed"),
        "channel.credentials_replaced": _l("Channel credentials replaced"),
        "channel.keys_rotated": _l("Encryption keys rotated"),
        "channel.needs_reauth": _l("Channel needs re-authorisation"),
        "channel.pause": _l("Channel paused"),
        "channel.resume": _l("Channel resumed"),
        "channel.test": _l("Channel tested"),
        "channel.update": _l("Channel edited"),
        "message.approval_expired": _l("Approval expired"),
        "message.approve": _l("Message approved"),
        "message.archive": _l("Message archived"),
        "message.comment": _l("Comment added"),
        "message.create": _l("Message created"),
        "message.submit": _l("Message submitted for review"),
        "message.version": _l("New version saved"),
        "message.second_reading": _l("Second reading by the model"),
        "message.decide": _l("Review decision"),
        "organisation.create": _l("Organisation created"),
        "post.cancel": _l("Post cancelled"),
        "post.failed": _l("Post failed"),
        "post.lease_expired": _l("Sending interrupted"),
        "post.mark_posted": _l("Post marked as posted"),
        "post.partner_accept": _l("Partner accepted a post"),
        "post.partner_decline": _l("Partner declined a post"),
        "post.publish": _l("Post sent"),
        "post.published": _l("Post published"),
        "post.reschedule": _l("Post rescheduled"),
        "post.move": _l("Post moved to another slot"),
        "post.resume": _l("Post resumed"),
        "post.schedule": _l("Post scheduled"),
        "post.settle_not_posted": _l("Post marked as not posted"),
        "post.unknown_outcome": _l("Post outcome unknown"),
        "post.delete_copy": _l("Extra copy of a post deleted"),
        "post.duplicates_found": _l("Extra copies of a post found"),
        "post.release_campaign_hold": _l("Posts released: campaign active again"),
        "publishing.pause": _l("Publishing paused"),
        "publishing.resume": _l("Publishing resumed"),
        "trend.created": _l("Trend recorded"),
        "trend.evidence_added": _l("Evidence added"),
        "trend.evidence_delete": _l("Evidence deleted"),
        "trend.evidence_edit": _l("Evidence edited"),
        "trend.imported": _l("Trends imported"),
        "trend.observation_delete": _l("Observation deleted"),
        "trend.observation_edit": _l("Observation edited"),
        "trend.observations_recorded": _l("Observations recorded"),
        "trend.status_changed": _l("Trend status changed"),
        "trend.updated": _l("Trend edited"),
        "user.activate": _l("Account reactivated"),
        "user.create": _l("Person added"),
        "user.deactivate": _l("Account deactivated"),
        "user.mfa_disable": _l("Two-step sign-in turned off"),
        "user.mfa_enable": _l("Two-step sign-in turned on"),
        "user.mfa_reset": _l("Two-step sign-in reset"),
        "user.password_change": _l("Password changed"),
        "user.role_change": _l("Role changed"),
        "user.sign_out_everywhere": _l("Signed out everywhere"),
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


# Details that mean nothing to a person (fingerprints kept for investigators in the database).
HIDDEN_DETAILS = frozenset({"key_hash", "prompt_hash", "idempotency_key"})
FINGERPRINTS = frozenset({"hash", "content_hash"})  # shown short; the full value in a tooltip


def label(value: Any, kind: str, default: str | None = None) -> str:
    """The translated words for a stored code; an unknown code reads as words (or `default`), never a raw key."""
    if value is None or value == "":
        return "—" if default is None else default
    code = str(value)
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
