"""What the merchant API and the staff API's merchant operations answer (the merchant
views: :mod:`bots.merchants.schemas`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bots.merchants.schemas import MerchantCaseSummary, MerchantItem, MerchantRef


class MerchantList(BaseModel):
    items: list[MerchantItem]


class MerchantWithCases(MerchantItem):
    forwarded: list[MerchantCaseSummary]


class ComplaintMerchant(BaseModel):
    """The linked merchant, where the forward stands, and registry suggestions."""

    number: str
    merchant_name: str | None = Field(description="the name the consumer typed")
    merchant: MerchantItem | None
    case: MerchantCaseSummary | None
    suggestions: list[MerchantItem]


class MerchantLinked(BaseModel):
    number: str
    merchant: MerchantItem


class Forwarded(BaseModel):
    number: str
    forwarded: bool
    consent_notice: int | None = Field(description="the consumer is asked to share contact")


class TakenBack(BaseModel):
    number: str
    taken_back: bool


class SpikeOutcome(BaseModel):
    number: str
    result: Literal["forwarded", "skipped"]
    reason: str | None
    status: str
    consent_notice: int | None
    message: str | None


class SpikeForwarded(BaseModel):
    merchant_id: int
    forwarded: int
    skipped: int
    complaints: list[SpikeOutcome]


class SpikeNotified(BaseModel):
    merchant_id: int
    consumers: int


class MyComplaints(BaseModel):
    """The complaints forwarded to the signed-in merchant, newest first."""

    merchant: MerchantRef
    items: list[MerchantCaseSummary]


class MerchantMessageSent(BaseModel):
    number: str
    notice: int


class OfferMade(BaseModel):
    number: str
    offer: int
    notice: int
