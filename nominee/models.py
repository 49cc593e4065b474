"""Imports every model so that ``Base.metadata`` knows all tables (Alembic, tests, CLI)."""

from nominee.accounts.models import Role, User, user_categories
from nominee.appeals.models import Appeal, AppealStatus
from nominee.audit import AuditEvent
from nominee.awards.models import Award, AwardStatus
from nominee.categories.models import Category
from nominee.contributions.models import (
    Contribution,
    ContributionFigure,
    ContributionType,
    ReachMetric,
    Visibility,
    contribution_categories,
)
from nominee.credentials.models import IssuerKey
from nominee.cycles.models import Cycle, CycleStatus, cycle_categories
from nominee.endorsements.models import Endorsement
from nominee.impact.models import ImpactGuidance, ImpactSettings
from nominee.imports.models import (
    BatchStatus,
    ContributionDraft,
    DraftStatus,
    Feed,
    ImportBatch,
    ImportRow,
)
from nominee.integrity.models import IntegrityResult, IntegrityReview, IntegrityScan, Verdict
from nominee.linkchecks.models import LinkCheck
from nominee.nominations.models import (
    Decision,
    Nomination,
    NominationEvent,
    NominationEvidence,
    NominationKind,
    NominationStatus,
)
from nominee.notifications.models import Notification
from nominee.outbox.models import OutboxMessage
from nominee.preferences.models import MailDigest, MailPreference
from nominee.programme.models import ProgrammeSettings
from nominee.reviews.models import (
    Assignment,
    Confidence,
    ConflictClearance,
    ConflictDeclaration,
    Recommendation,
    Review,
    ReviewerAppointment,
    ReviewScore,
    ReviewStatus,
)
from nominee.schedule.models import ScheduledRun
from nominee.search import schema as search_schema  # noqa: F401  (its indexes follow create_all)
from nominee.tokens.models import ApiToken, IdempotentReply
from nominee.webhooks.models import (
    AttemptOutcome,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

__all__ = [
    "ApiToken",
    "IdempotentReply",
    "AttemptOutcome",
    "DeliveryStatus",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Appeal",
    "AppealStatus",
    "Assignment",
    "AuditEvent",
    "Award",
    "AwardStatus",
    "BatchStatus",
    "Category",
    "Confidence",
    "ConflictClearance",
    "ConflictDeclaration",
    "Contribution",
    "ContributionDraft",
    "ContributionFigure",
    "ContributionType",
    "Cycle",
    "CycleStatus",
    "Decision",
    "DraftStatus",
    "Feed",
    "IntegrityResult",
    "IssuerKey",
    "IntegrityReview",
    "IntegrityScan",
    "Endorsement",
    "ImpactGuidance",
    "ProgrammeSettings",
    "ImpactSettings",
    "ImportBatch",
    "ImportRow",
    "LinkCheck",
    "MailDigest",
    "MailPreference",
    "Nomination",
    "NominationEvent",
    "NominationEvidence",
    "NominationKind",
    "NominationStatus",
    "Notification",
    "OutboxMessage",
    "ReachMetric",
    "Recommendation",
    "Review",
    "ReviewScore",
    "ReviewStatus",
    "ReviewerAppointment",
    "ScheduledRun",
    "Verdict",
    "Role",
    "User",
    "Visibility",
    "contribution_categories",
    "cycle_categories",
    "user_categories",
]
