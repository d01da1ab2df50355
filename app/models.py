"""Imports every model so metadata is complete for Alembic, create_all and the tests."""

from app.accounts.models import Organisation, Role, User  # noqa: F401
from app.api.models import ApiToken  # noqa: F401
from app.audit.models import AuditEvent  # noqa: F401
from app.campaigns.models import Campaign, KnowledgeItem  # noqa: F401
from app.channels.models import Channel  # noqa: F401
from app.drafting.models import (  # noqa: F401
    Approval,  # noqa: F401
    Message,
    MessageComment,
    MessageVersion,
)
from app.notifications.models import Notification  # noqa: F401
from app.outcomes.models import EngagementSample, EngagementTracker  # noqa: F401
from app.publishing.models import (  # noqa: F401
    CalendarFeed,
    Post,
    PostAttempt,
    PublishingPause,
    SinkDelivery,
    WorkerHeartbeat,
)
from app.review.models import ReviewRequest, ReviewSeen  # noqa: F401
from app.trends.models import Evidence, ImportMapping, Observation, Trend  # noqa: F401
