from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wtforms import FloatField, RadioField
from wtforms.validators import InputRequired, ValidationError

from nominee.contributions.models import ContributionType
from nominee.i18n import _, _l
from nominee.impact import rules
from nominee.impact.models import GuidanceMode
from nominee.web import BaseForm, choices

NUMBER: dict[str, Any] = {"invalid_value_message": _l("Enter a number, such as 1 or 2.5.")}


def setting_rule(name: str):
    def validator(_form: Any, field: Any) -> None:
        if not field.errors and (message := rules.setting_error(name, field.data)):
            raise ValidationError(message)

    return validator


def _weight_rule(_form: Any, field: Any) -> None:
    if field.data is None:
        return
    if not field.errors and (message := rules.type_weight_error(field.data)):
        raise ValidationError(message)


class OptionalFloatField(FloatField):
    """A number input where blank means "not given" (None), not "invalid"."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and not str(valuelist[0]).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class ImpactSettingsForm(BaseForm):
    """A cycle's score settings, and one "points" field per contribution type."""

    type_fields: list[tuple[ContributionType, str]]

    def configure(
        self,
        types: Iterable[ContributionType],
        *,
        formdata: Any,
        config: rules.ScoreConfig,
    ) -> None:
        values: Mapping[str, float] = {
            name: getattr(config, name) for name, *_rest in rules.SETTINGS
        }
        for name, label, low, high, help_text in rules.SETTINGS:
            self._add(
                name,
                FloatField(
                    _(label),
                    description=_(
                        "%(help)s From %(low)s to %(high)s.",
                        help=_(help_text),
                        low=f"{low:g}",
                        high=f"{high:g}",
                    ),
                    validators=[
                        InputRequired(
                            message=_(
                                "Enter a number from %(low)s to %(high)s.",
                                low=f"{low:g}",
                                high=f"{high:g}",
                            )
                        ),
                        setting_rule(name),
                    ],
                    **NUMBER,
                ),
                formdata,
                values[name],
            )
        self.type_fields = []
        for kind in types:
            name = f"type_{kind.id}"
            self.type_fields.append((kind, name))
            self._add(
                name,
                OptionalFloatField(
                    _("Points for %(type)s", type=kind.name),
                    description=_(
                        "Blank: the type's own weight, %(weight)s.", weight=f"{kind.weight:g}"
                    ),
                    validators=[_weight_rule],
                    **NUMBER,
                ),
                formdata,
                config.type_weights.get(kind.id, kind.weight),
            )

    def _add(self, name: str, unbound: Any, formdata: Any, value: Any) -> None:
        field = unbound.bind(form=self, name=name, prefix=self._prefix)
        self._fields[name] = field
        setattr(self, name, field)  # so a service's refusal finds its field
        field.process(formdata, value)

    def values(self) -> dict[str, float]:
        return {name: self[name].data for name, *_rest in rules.SETTINGS}

    def type_weights(self) -> dict[int, float]:
        """The points per type that differ from the type's own weight."""
        return {
            kind.id: self[name].data
            for kind, name in self.type_fields
            if self[name].data is not None and self[name].data != kind.weight
        }


class GuidanceForm(BaseForm):
    mode = RadioField(
        _l("Guidance"),
        choices=choices(
            [
                (
                    GuidanceMode.MEDIAN_AWARDEE.value,
                    _l(
                        "The score of the median awardee of the last published cycle "
                        "in this category"
                    ),
                ),
                (GuidanceMode.FIXED.value, _l("A fixed score")),
            ]
        ),
        default=GuidanceMode.MEDIAN_AWARDEE.value,
        validators=[InputRequired(message=_l("Choose how the guidance is set."))],
    )
    score = OptionalFloatField(
        _l("Fixed score"),
        description=_l("Only for a fixed score."),
        **NUMBER,
    )

    def validate_score(self, field: FloatField) -> None:
        if self.mode.data == GuidanceMode.FIXED.value and field.data is None and not field.errors:
            raise ValidationError(_("Enter the score members should reach."))
