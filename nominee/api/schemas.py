"""The API's request and response bodies (pydantic), from which SpecTree writes the
OpenAPI document. Inputs refuse what no field takes (``nominee.inputs``: control
characters, numbers beyond a column, dates outside 1900-2999) with a 422 naming the
field; the domain's rules (titles, links, figures...) stay in the services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
)

from nominee import inputs


def _no_control_characters(text: str) -> str:
    if inputs.has_control_characters(text):
        raise ValueError("Text with control characters (such as NUL bytes) is refused.")
    return text


def _iso_date(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("Give the date as YYYY-MM-DD.")
    return value


def _date_in_range(day: date) -> date:
    if message := inputs.date_error(day):
        raise ValueError(message)
    return day


_Clean = AfterValidator(_no_control_characters)
Title = Annotated[StrictStr, Field(max_length=200), _Clean]
Role = Annotated[StrictStr, Field(max_length=40), _Clean]
Url = Annotated[StrictStr, Field(max_length=2000), _Clean]
Description = Annotated[StrictStr, Field(max_length=5000), _Clean]
Comment = Annotated[StrictStr, Field(max_length=280), _Clean]


Day = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_date_in_range)]
Id = Annotated[StrictInt, Field(ge=1, le=inputs.INT_MAX)]
QueryId = Annotated[int, Field(ge=1, le=inputs.INT_MAX)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Problems (RFC 9457) ---------------------------------------------------------------


class FieldError(BaseModel):
    field: str = Field(description="The field of the request the message is about.")
    message: str


class Problem(BaseModel):
    """An error, as ``application/problem+json``."""

    type: str = Field(description="A URI naming the kind of problem (or about:blank).")
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = Field(
        default=None, description="For a request that does not validate: what each field lacks."
    )


# Headers -------------------------------------------------------------------------


class IdempotencyHeaders(BaseModel):
    idempotency_key: StrictStr | None = Field(
        default=None,
        alias="Idempotency-Key",
        max_length=255,
        description="Any unique string: a retried request with the same key and body is "
        "answered as the first was, and nothing is done twice (kept for 24 hours).",
    )


class IfMatchHeaders(IdempotencyHeaders):
    if_match: StrictStr | None = Field(
        default=None,
        alias="If-Match",
        max_length=200,
        description="The ETag of the version the change is based on.",
    )


# Account -------------------------------------------------------------------------


class TokenInfo(BaseModel):
    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime | None


class Me(BaseModel):
    id: int
    display_name: str
    email: str
    role: Literal["member", "reviewer", "organizer"]
    token: TokenInfo


class MemberRef(BaseModel):
    id: int
    display_name: str


# Programme -----------------------------------------------------------------------


class CategoryOut(BaseModel):
    id: int
    name: str
    slug: str
    retired: bool


class CategoryRef(BaseModel):
    id: int
    name: str


class CycleRef(BaseModel):
    id: int
    name: str


class CategoryList(BaseModel):
    items: list[CategoryOut]


class MetricOut(BaseModel):
    id: int
    name: str
    unit: str
    required: bool
    maximum: int
    retired: bool


class ContributionTypeOut(BaseModel):
    id: int
    name: str
    slug: str
    roles: list[str]
    retired: bool
    metrics: list[MetricOut]


class ContributionTypeList(BaseModel):
    items: list[ContributionTypeOut]


# Contributions -------------------------------------------------------------------

Visibility = Literal["public", "private"]


class FigureIn(Input):
    metric_id: Id
    value: Annotated[StrictInt, Field(ge=0, le=inputs.INT_MAX)] | None


class FigureOut(BaseModel):
    metric_id: int
    name: str
    value: int


class ContributionIn(Input):
    type_id: Id
    title: Title
    contributed_on: Day
    primary_category_id: Id
    role: Role = ""
    url: Url = ""
    description_md: Description = ""
    category_ids: Annotated[list[Id], Field(max_length=10)] = []
    figures: Annotated[list[FigureIn], Field(max_length=50)] = Field(
        default=[], description="A value per reach metric of the type (see contribution types)."
    )
    visibility: Visibility = "public"


class ContributionPatch(Input):
    """The fields to change; those left out keep their value."""

    type_id: Id | None = None
    title: Title | None = None
    contributed_on: Day | None = None
    primary_category_id: Id | None = None
    role: Role | None = None
    url: Url | None = None
    description_md: Description | None = None
    category_ids: Annotated[list[Id], Field(max_length=10)] | None = None
    figures: Annotated[list[FigureIn], Field(max_length=50)] | None = None
    visibility: Visibility | None = None


class ContributionOut(BaseModel):
    id: int
    owner: MemberRef
    type_id: int
    type_name: str
    role: str
    title: str
    contributed_on: date
    url: str | None
    description_md: str
    primary_category_id: int
    category_ids: list[int]
    figures: list[FigureOut]
    visibility: Visibility
    endorsement_count: int
    created_at: datetime
    updated_at: datetime
    etag: str = Field(description="Send it back in If-Match to change or delete it.")


class ContributionList(BaseModel):
    items: list[ContributionOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last.")


class ContributionQuery(BaseModel):
    owner: QueryId | None = Field(default=None, description="A member's id; default: yours.")
    type: QueryId | None = None
    category: QueryId | None = None
    visibility: Visibility | None = None
    date_from: Day | None = None
    date_to: Day | None = None
    cursor: Annotated[str, Field(max_length=100)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 25


class MemberQuery(BaseModel):
    member: QueryId | None = Field(default=None, description="A member's id; default: you.")
    cursor: Annotated[str, Field(max_length=100)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 25


# Endorsements --------------------------------------------------------------------


class EndorsementIn(Input):
    comment: Comment = ""


class EndorsementOut(BaseModel):
    id: int
    contribution_id: int
    contribution_title: str
    endorser: MemberRef
    endorsee: MemberRef
    comment: str
    created_at: datetime
    withdrawn_at: datetime | None


class EndorsementList(BaseModel):
    items: list[EndorsementOut]
    next_cursor: str | None


# Cycles, nominations, awards ------------------------------------------------------

CycleStatus = Literal["draft", "open", "in_review", "decided", "published"]


class CycleOut(BaseModel):
    id: int
    name: str
    status: CycleStatus
    nominations_open_on: date
    nominations_close_on: date
    review_close_on: date
    lookback_months: int
    award_term_months: int
    categories: list[CategoryRef]


class CycleList(BaseModel):
    items: list[CycleOut]
    page: int
    pages: int


class PageNumber(BaseModel):
    page: Annotated[int, Field(ge=1, le=100_000)] = 1


class NominationOut(BaseModel):
    id: int
    cycle: CycleRef
    category: CategoryRef
    nominee: MemberRef
    nominator: MemberRef | None
    kind: Literal["self", "peer", "renewal"]
    status: str = Field(
        description="As you may see it: a decision reads in_review until published."
    )
    created_at: datetime


class NominationList(BaseModel):
    about_me: list[NominationOut]
    made: list[NominationOut]


class AwardOut(BaseModel):
    verification_id: str
    member: MemberRef
    category: CategoryRef
    cycle: CycleRef
    starts_on: date
    ends_on: date
    status: Literal["active", "expired", "revoked"]


class AwardList(BaseModel):
    items: list[AwardOut]


# Reviews --------------------------------------------------------------------------


class AssignmentOut(BaseModel):
    nomination_id: int
    cycle: CycleRef
    cycle_status: CycleStatus
    review_close_on: date
    category: CategoryRef
    nominee: MemberRef
    review_status: Literal["draft", "submitted"] | None
    review_version: int = Field(description="Send it with the review (0: none yet).")


class AssignmentList(BaseModel):
    items: list[AssignmentOut]


class CriterionOut(BaseModel):
    id: int
    name: str
    description: str
    weight: float


class ScoreIn(Input):
    criterion_id: Id
    score: Annotated[StrictInt, Field(ge=1, le=5)] | None


class ScoreOut(BaseModel):
    criterion_id: int
    score: int


class ReviewIn(Input):
    scores: Annotated[list[ScoreIn], Field(max_length=50)] = []
    confidence: Literal["low", "medium", "high"] | None = None
    recommendation: Literal["award", "decline", "abstain"] | None = None
    panel_comment: Description = ""
    nominee_feedback: Description = ""
    submit: StrictBool = Field(
        default=False, description="false: save a draft; true: submit it (final)."
    )
    version: Annotated[StrictInt, Field(ge=0, le=inputs.INT_MAX)] = Field(
        description="The review's version you started from (0: none yet); 409 when it "
        "was saved since."
    )


class ReviewOut(BaseModel):
    nomination_id: int
    criteria: list[CriterionOut]
    status: Literal["draft", "submitted"] | None = Field(description="null: not started.")
    version: int
    scores: list[ScoreOut]
    confidence: str | None
    recommendation: str | None
    panel_comment: str
    nominee_feedback: str
    submitted_at: datetime | None
    writable: bool
    refusal: str | None = Field(description="Why it cannot be written now, if it cannot.")


# Organizers -----------------------------------------------------------------------


class DashboardQuery(BaseModel):
    category: QueryId | None = None
    sort: Literal[
        "id",
        "nominee",
        "category",
        "evidence",
        "endorsers",
        "effective",
        "reach",
        "impact",
        "reviews",
        "score",
        "award",
        "decline",
        "abstain",
        "disagreement",
    ] = "id"
    order: Literal["asc", "desc"] = "asc"
    page: Annotated[int, Field(ge=1, le=100_000)] = 1


class DashboardRow(BaseModel):
    nomination_id: int
    nominee: MemberRef
    category: CategoryRef
    status: str
    evidence_count: int
    distinct_endorsers: int
    effective_endorsers: int | None
    total_audience: int
    reviews_submitted: int
    score_mean: float | None
    recommend_award: int
    recommend_decline: int
    recommend_abstain: int
    integrity_flagged: bool


class Dashboard(BaseModel):
    items: list[DashboardRow]
    page: int
    pages: int
    total: int


class DecisionsExport(BaseModel):
    columns: list[str]
    rows: list[list[str | int | float | None]]


class AwardeeQuery(BaseModel):
    tab: Literal["current", "alumni"] = "current"
    category: QueryId | None = None
    country: Annotated[str, Field(pattern="^[A-Z]{2}$")] | None = Field(
        default=None, description="ISO 3166-1 alpha-2 code, e.g. PT."
    )
    year: Annotated[int, Field(ge=1900, le=2999)] | None = Field(
        default=None, description="The year the award's term starts."
    )
    cycle: QueryId | None = None
    name: Annotated[str, Field(max_length=100), AfterValidator(_no_control_characters)] | None = (
        None
    )
    page: Annotated[int, Field(ge=1, le=100_000)] = 1


class AwardeeList(BaseModel):
    items: list[AwardOut]
    page: int
    pages: int
    total: int
