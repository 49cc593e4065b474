from __future__ import annotations

from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput

from nominee.i18n import _l
from nominee.web import BaseForm, choices
from nominee.webhooks.models import WebhookEndpoint
from nominee.webhooks.rules import EVENT_TYPES, MAX_URL_LENGTH
from nominee.widgets import ChoiceList


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class EventsField(SelectMultipleField):
    widget = ChoiceList("checkbox")
    option_widget = CheckboxInput()


class EndpointForm(BaseForm):
    url = StringField(
        _l("Endpoint URL"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give the address that receives the webhooks.")),
            Length(
                max=MAX_URL_LENGTH,
                message=_l("Use at most %(max)d characters.", max=MAX_URL_LENGTH),
            ),
        ],
        description=_l("An https:// address on port 443; deliveries are POSTed to it as JSON."),
    )
    description = StringField(
        _l("Description"),
        filters=[_strip],
        validators=[Length(max=200, message=_l("Use at most %(max)d characters.", max=200))],
    )
    events = EventsField(
        _l("Events"),
        choices=choices((event, _l(label)) for event, label in EVENT_TYPES.items()),
        validators=[DataRequired(_l("Choose at least one event."))],
    )

    @classmethod
    def for_endpoint(cls, endpoint: WebhookEndpoint, posted: bool) -> EndpointForm:
        """The endpoint's settings; on a POST only what was posted (an empty POST is
        refused, not read as "keep everything")."""
        if posted:
            return cls()
        data = {"url": endpoint.url, "description": endpoint.description, "events": endpoint.events}
        return cls(data=data)


class ButtonForm(BaseForm):
    """An empty form: only the CSRF token, for the buttons (rotate, enable, delete...)."""
