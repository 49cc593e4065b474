from __future__ import annotations

from wtforms import DateField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from nominee.web import BaseForm

# Suggestions for the action field (any action can be typed). Matching is exact, so the
# (action, created_at) index answers newest-first without sorting, at any size.
ACTIONS = (
    "access.denied",
    "account.deactivated",
    "account.email_changed",
    "account.password_changed",
    "account.profile_updated",
    "account.reactivated",
    "account.registered",
    "account.role_changed",
    "award.created",
    "award.expired",
    "award.revoked",
    "category.created",
    "category.updated",
    "contribution.created",
    "contribution.deleted",
    "contribution.updated",
    "contribution_type.created",
    "contribution_type.seeded",
    "contribution_type.updated",
    "cycle.created",
    "cycle.status_changed",
    "cycle.updated",
    "demo.seeded",
    "endorsement.created",
    "endorsement.withdrawn",
    "login.failed",
    "login.succeeded",
    "logout",
    "nomination.accepted",
    "nomination.created",
    "nomination.decided",
    "nomination.decision_changed",
    "nomination.entered_review",
    "nomination.evidence_changed",
    "nomination.lapsed",
    "nomination.refused",
    "nomination.renewal_created",
    "nomination.withdrawn",
    "review.assigned",
    "review.auto_assigned",
    "review.conflict_declared",
    "review.draft_saved",
    "review.reviewer_appointed",
    "review.reviewer_removed",
    "review.submitted",
    "review.unassigned",
    "review.updated",
)
OBJECT_TYPES = (
    "award",
    "category",
    "contribution",
    "contribution_type",
    "cycle",
    "endorsement",
    "nomination",
    "review",
    "route",
    "system",
    "user",
)


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    actor = StringField(
        "Actor",
        validators=[Optional(), Length(max=100)],
        description="Account id, email, part of a name, or the part of an email before @.",
    )
    action = StringField(
        "Action", validators=[Optional(), Length(max=64)], description="e.g. nomination.decided"
    )
    object_type = StringField("Object type", validators=[Optional(), Length(max=32)])
    object_id = IntegerField("Object id", validators=[Optional(), NumberRange(min=1)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")
