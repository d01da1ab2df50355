"""Every action the audit trail records, in one tense (`<object>.<past participle>`), and the old names.

The trail is append-only, so rows written before the names settled keep their old string; readers
(the audit page's words and its filter) map an old name to its action with `RENAMED`.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    API_TOKEN_CREATED = "api_token.created"  # noqa: S105  # nosec B105 (an action name)
    API_TOKEN_REVOKED = "api_token.revoked"  # noqa: S105  # nosec B105 (an action name)
    APPROVAL_REVOKED = "approval.revoked"
    AUTH_MFA_FAILED = "auth.mfa_failed"
    AUTH_SIGN_IN_FAILED = "auth.sign_in_failed"
    AUTH_SIGN_IN_REFUSED = "auth.sign_in_refused"  # the account is deactivated
    AUTH_SIGNED_IN = "auth.signed_in"
    AUTH_SIGNED_OUT = "auth.signed_out"
    AUTHZ_DENIED = "authz.denied"
    CAMPAIGN_CREATED = "campaign.created"
    CAMPAIGN_DRAFTS_REQUESTED = "campaign.drafts_requested"
    CAMPAIGN_KNOWLEDGE_ADDED = "campaign.knowledge_added"
    CAMPAIGN_KNOWLEDGE_MOVED = "campaign.knowledge_moved"
    CAMPAIGN_KNOWLEDGE_REMOVED = "campaign.knowledge_removed"
    CAMPAIGN_STATUS_CHANGED = "campaign.status_changed"
    CAMPAIGN_UPDATED = "campaign.updated"
    CHANNEL_ARCHIVED = "channel.archived"
    CHANNEL_CREATED = "channel.created"
    CHANNEL_CREDENTIALS_REAUTH_FAILED = "channel.credentials_reauth_failed"
    CHANNEL_CREDENTIALS_REPLACED = "channel.credentials_replaced"
    CHANNEL_KEYS_ROTATED = "channel.keys_rotated"
    CHANNEL_PAUSED = "channel.paused"
    CHANNEL_REAUTH_REQUIRED = "channel.reauth_required"
    CHANNEL_RESUMED = "channel.resumed"
    CHANNEL_SERVER_DETECTED = "channel.server_detected"
    CHANNEL_TESTED = "channel.tested"
    CHANNEL_UPDATED = "channel.updated"
    ENGAGEMENT_RECORDED = "engagement.recorded"
    MESSAGE_APPROVAL_EXPIRED = "message.approval_expired"
    MESSAGE_APPROVED = "message.approved"
    MESSAGE_ARCHIVED = "message.archived"
    MESSAGE_CHANGES_REQUESTED = "message.changes_requested"
    MESSAGE_COMMENTED = "message.commented"
    MESSAGE_CREATED = "message.created"
    MESSAGE_REJECTED = "message.rejected"
    MESSAGE_REREAD = "message.reread"  # the model's second reading of a version
    MESSAGE_SUBMITTED = "message.submitted"
    MESSAGE_VERSION_SAVED = "message.version_saved"
    ORGANISATION_CREATED = "organisation.created"
    POST_CAMPAIGN_HOLD_RELEASED = "post.campaign_hold_released"
    POST_CANCELLED = "post.cancelled"
    POST_COPY_DELETED = "post.copy_deleted"
    POST_DUPLICATES_FOUND = "post.duplicates_found"
    POST_FAILED = "post.failed"
    POST_HELD = "post.held"
    POST_LEASE_EXPIRED = "post.lease_expired"
    POST_MARKED_NOT_POSTED = "post.marked_not_posted"
    POST_MARKED_POSTED = "post.marked_posted"
    POST_MISSED = "post.missed"
    POST_MOVED = "post.moved"
    POST_PARTNER_ACCEPTED = "post.partner_accepted"
    POST_PARTNER_DECLINED = "post.partner_declined"
    POST_PUBLISHED = "post.published"
    POST_RESCHEDULED = "post.rescheduled"
    POST_RESUMED = "post.resumed"
    POST_SCHEDULED = "post.scheduled"
    POST_UNCONFIRMED = "post.unconfirmed"  # sent, but whether the platform has it is unknown
    PUBLISHING_PAUSED = "publishing.paused"
    PUBLISHING_RESUMED = "publishing.resumed"
    TREND_CREATED = "trend.created"
    TREND_EVIDENCE_ADDED = "trend.evidence_added"
    TREND_EVIDENCE_DELETED = "trend.evidence_deleted"
    TREND_EVIDENCE_EDITED = "trend.evidence_edited"
    TREND_IMPORTED = "trend.imported"
    TREND_OBSERVATION_DELETED = "trend.observation_deleted"
    TREND_OBSERVATION_EDITED = "trend.observation_edited"
    TREND_OBSERVATIONS_RECORDED = "trend.observations_recorded"
    TREND_STATUS_CHANGED = "trend.status_changed"
    TREND_UPDATED = "trend.updated"
    USER_ACTIVATED = "user.activated"
    USER_CREATED = "user.created"
    USER_DEACTIVATED = "user.deactivated"
    USER_MFA_DISABLED = "user.mfa_disabled"
    USER_MFA_ENABLED = "user.mfa_enabled"
    USER_MFA_RESET = "user.mfa_reset"
    USER_PASSWORD_CHANGED = "user.password_changed"  # noqa: S105  # nosec B105 (an action name)
    USER_ROLE_CHANGED = "user.role_changed"
    USER_SIGNED_OUT_EVERYWHERE = "user.signed_out_everywhere"


# The names rows were written under before the actions had one tense (old string -> action).
RENAMED: dict[str, AuditAction] = {
    "approval.revoke": AuditAction.APPROVAL_REVOKED,
    "auth.login": AuditAction.AUTH_SIGNED_IN,
    "auth.login_failed": AuditAction.AUTH_SIGN_IN_FAILED,
    "auth.login_refused_inactive": AuditAction.AUTH_SIGN_IN_REFUSED,
    "auth.logout": AuditAction.AUTH_SIGNED_OUT,
    "campaign.create": AuditAction.CAMPAIGN_CREATED,
    "campaign.draft": AuditAction.CAMPAIGN_DRAFTS_REQUESTED,
    "campaign.knowledge.add": AuditAction.CAMPAIGN_KNOWLEDGE_ADDED,
    "campaign.knowledge.move": AuditAction.CAMPAIGN_KNOWLEDGE_MOVED,
    "campaign.knowledge.remove": AuditAction.CAMPAIGN_KNOWLEDGE_REMOVED,
    "campaign.status": AuditAction.CAMPAIGN_STATUS_CHANGED,
    "campaign.update": AuditAction.CAMPAIGN_UPDATED,
    "channel.archive": AuditAction.CHANNEL_ARCHIVED,
    "channel.create": AuditAction.CHANNEL_CREATED,
    "channel.needs_reauth": AuditAction.CHANNEL_REAUTH_REQUIRED,
    "channel.pause": AuditAction.CHANNEL_PAUSED,
    "channel.resume": AuditAction.CHANNEL_RESUMED,
    "channel.test": AuditAction.CHANNEL_TESTED,
    "channel.update": AuditAction.CHANNEL_UPDATED,
    "message.approve": AuditAction.MESSAGE_APPROVED,
    "message.archive": AuditAction.MESSAGE_ARCHIVED,
    "message.comment": AuditAction.MESSAGE_COMMENTED,
    "message.create": AuditAction.MESSAGE_CREATED,
    "message.second_reading": AuditAction.MESSAGE_REREAD,
    "message.submit": AuditAction.MESSAGE_SUBMITTED,
    "message.version": AuditAction.MESSAGE_VERSION_SAVED,
    "organisation.create": AuditAction.ORGANISATION_CREATED,
    "post.cancel": AuditAction.POST_CANCELLED,
    "post.delete_copy": AuditAction.POST_COPY_DELETED,
    "post.mark_posted": AuditAction.POST_MARKED_POSTED,
    "post.move": AuditAction.POST_MOVED,
    "post.partner_accept": AuditAction.POST_PARTNER_ACCEPTED,
    "post.partner_decline": AuditAction.POST_PARTNER_DECLINED,
    "post.release_campaign_hold": AuditAction.POST_CAMPAIGN_HOLD_RELEASED,
    "post.reschedule": AuditAction.POST_RESCHEDULED,
    "post.resume": AuditAction.POST_RESUMED,
    "post.schedule": AuditAction.POST_SCHEDULED,
    "post.settle_not_posted": AuditAction.POST_MARKED_NOT_POSTED,
    "post.unknown_outcome": AuditAction.POST_UNCONFIRMED,
    "publishing.pause": AuditAction.PUBLISHING_PAUSED,
    "publishing.resume": AuditAction.PUBLISHING_RESUMED,
    "trend.evidence_delete": AuditAction.TREND_EVIDENCE_DELETED,
    "trend.evidence_edit": AuditAction.TREND_EVIDENCE_EDITED,
    "trend.observation_delete": AuditAction.TREND_OBSERVATION_DELETED,
    "trend.observation_edit": AuditAction.TREND_OBSERVATION_EDITED,
    "user.activate": AuditAction.USER_ACTIVATED,
    "user.create": AuditAction.USER_CREATED,
    "user.deactivate": AuditAction.USER_DEACTIVATED,
    "user.mfa_disable": AuditAction.USER_MFA_DISABLED,
    "user.mfa_enable": AuditAction.USER_MFA_ENABLED,
    "user.password_change": AuditAction.USER_PASSWORD_CHANGED,
    "user.role_change": AuditAction.USER_ROLE_CHANGED,
    "user.sign_out_everywhere": AuditAction.USER_SIGNED_OUT_EVERYWHERE,
}


def current_name(stored: str) -> str:
    """The action a stored string means today: an old name gives its action, anything else itself."""
    return RENAMED.get(stored, stored)


def stored_names(action: str) -> list[str]:
    """Every string rows of this action may carry: its name and the old names it replaced."""
    name = current_name(action)
    return [name, *(old for old, new in RENAMED.items() if new == name)]
