"""The draft a consumer files: the typed answers the intake flow collected.

While the consumer answers, each answer is kept in the conversation under
``answers["draft"]``, a JSON mapping from step name to value (ISO dates, amounts as
strings, lists of demand ids), sealed at rest with the other answers. That stored form
is read into a :class:`Draft` when the consumer confirms (:meth:`Draft.from_answers`),
and ``FileComplaint`` hands the Draft to storage. Reading is forgiving: a stored row
from an older version, or with a value of the wrong kind, gives a draft without that
answer rather than a failed filing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from dialogs.vocabulary import DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Draft:
    """What is filed: one field per answer of the flow, None where not asked or skipped.

    Attributes:
        type: the request type (``complaint``, ``report``, ``consultation``, ``suggestion``).
        category: the category id; subcategory: its second level.
        merchant_name, merchant_address, order_number: the merchant and the order.
        incident_date: when it happened (the consumer's local day).
        amount: the money at stake, in yuan.
        description: the consumer's account.
        demands: demand ids, in the order chosen.
        contact_name, contact_phone: contact details (E.164), sealed by storage.
        consent_share: whether the consumer agreed to share the case (anonymised).
        language: the language the consumer filed in.
    """

    type: str
    category: str | None = None
    subcategory: str | None = None
    merchant_name: str | None = None
    merchant_address: str | None = None
    order_number: str | None = None
    incident_date: date | None = None
    amount: Decimal | None = None
    description: str | None = None
    demands: tuple[str, ...] = field(default=())
    contact_name: str | None = None
    contact_phone: str | None = None
    consent_share: bool = False
    language: str = DEFAULT_LANGUAGE

    @classmethod
    def from_answers(
        cls,
        stored: object,
        *,
        type_id: str,
        steps: Collection[str],
        language: str,
    ) -> Draft:
        """The draft from its stored form, keeping only the steps that apply now.

        Args:
            stored: ``answers["draft"]`` as the conversation row holds it.
            type_id: the request type.
            steps: the steps the type asks with these answers (a step skipped by its
                ``when`` condition keeps no stale answer).
            language: the consumer's language.
        """
        answers: Mapping[str, Any] = stored if isinstance(stored, Mapping) else {}

        def given(name: str) -> Any:
            return answers.get(name) if name in steps else None

        return cls(
            type=type_id,
            category=_text(given("category")),
            subcategory=_text(given("subcategory")),
            merchant_name=_text(given("merchant_name")),
            merchant_address=_text(given("merchant_address")),
            order_number=_text(given("order_number")),
            incident_date=_date(given("incident_date")),
            amount=_amount(given("amount")),
            description=_text(given("description")),
            demands=_ids(given("demands")),
            contact_name=_text(given("contact_name")),
            contact_phone=_text(given("contact_phone")),
            consent_share=given("consent_share") is True,
            language=language,
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _ids(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(v for v in value if isinstance(v, str))
