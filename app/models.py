"""Imports every model so metadata is complete for Alembic, create_all and the tests."""

from app.accounts.models import Organisation, Role, User  # noqa: F401
from app.api.models import ApiToken  # noqa: F401
from app.audit.models import AuditEvent  # noqa: F401
from app.campaigns.models import Campaign, KnowledgeItem  # noqa: F401
from app.channels.models import Channel  # noqa: F401
from app.drafting.models import Message, MessageComment, MessageVersion  # noqa: F401
from app.outcomes.models import EngagementSample, EngagementTracker  # noqa: F401
from app.publishing.models import (  # noqa: F401
    CalendarFeed,
    Post,
    PostAttempt,
    PublishingPause,
    SinkDelivery,
    WorkerHeartbeat,
)
from app.review.models import Approval, Notification, ReviewRequest, ReviewSeen  # noqa: F401
from app.trends.models import Evidence, ImportMapping, Observation, Trend  # noqa: F401
