"""A merchant's offer and the consent question, as the consumer answers them in chat.

Staff or a merchant put the consumer's conversation into ``offer`` (accept / decline)
or ``merchant_consent`` (yes / no) through :func:`enter_offer` and
:func:`enter_consent`; the pending offer is kept in the answers, so ``接受`` /
``accept`` and ``拒绝`` / ``decline [reason]`` work in every state until it is
answered, and a numbered answer ("1") works while the question is the current one.
Pure: the answers become :class:`AnswerOffer` / :class:`AnswerConsent` commands.
"""

from __future__ import annotations

import re
from datetime import datetime

from dialogs.command_results import CommandResult, OfferAnswered, Refused
from dialogs.commands import AnswerConsent, AnswerOffer, Command
from dialogs.conversation import Conversation, StepResult
from dialogs.events import ChoicePressed, InboundEvent, TextMessage
from dialogs.keywords import is_no, is_yes
from dialogs.machine import State
from dialogs.navigation import DRAFT_STATES
from dialogs.options import DialogOptions
from dialogs.questions import ask, choices_for
from dialogs.texts import format_date
from dialogs.turn import Turn
from dialogs.validators import clean_text, match_choice, normalize

OFFER_COMMANDS = (AnswerOffer, AnswerConsent)
REASON_MAX = 500
_ACCEPT = frozenset({"接受", "accept", "/accept", "同意方案", "接受方案"})
_DECLINE = re.compile(r"^\s*/?(拒绝|decline)(?:[\s:：,，]+(.*))?$", re.IGNORECASE | re.DOTALL)
# Where a consumer may be sent back to after answering; anything else goes to the menu.
_RETURNABLE = DRAFT_STATES | {State.MENU.value, State.MERCHANT_CONSENT.value}


def _return_state(state: str) -> str:
    return state if state in _RETURNABLE else State.MENU.value


def enter_offer(
    conv: Conversation,
    *,
    offer_id: int,
    number: str,
    text: str,
    now: datetime,
    options: DialogOptions,
) -> StepResult:
    """Show the consumer an offer (``text``, already in their language) to accept or decline."""
    turn = Turn.begin(conv, now=now, options=options)
    if turn.state != State.OFFER:
        turn.answers["offer_return"] = _return_state(turn.state)
    turn.answers["offer"] = {"id": offer_id, "number": number, "text": text}
    turn.state = State.OFFER
    ask(turn)
    return turn.result()


def enter_consent(
    conv: Conversation,
    *,
    number: str,
    merchant_id: int,
    merchant: str,
    now: datetime,
    options: DialogOptions,
) -> StepResult:
    """Ask whether ``merchant`` may have the consumer's contact details for ``number``."""
    turn = Turn.begin(conv, now=now, options=options)
    if turn.state != State.MERCHANT_CONSENT:
        back = turn.state if turn.state != State.OFFER else State.MENU.value
        turn.answers["consent_return"] = _return_state(back)
    turn.answers["consent"] = {"number": number, "merchant_id": merchant_id, "merchant": merchant}
    turn.state = State.MERCHANT_CONSENT
    ask(turn)
    return turn.result()


def merchant_word(turn: Turn, event: InboundEvent) -> bool:
    """An answer to a pending offer (``撤回同意`` is a data-rights word: dialogs/data_rights)."""
    return offer_word(turn, event)


def offer_word(turn: Turn, event: InboundEvent) -> bool:
    """``接受`` / ``拒绝 [reason]`` (or a pressed offer button) while an offer is pending."""
    offer = turn.answers.get("offer")
    if not isinstance(offer, dict) or not isinstance(offer.get("id"), int):
        return False
    if isinstance(event, ChoicePressed):
        if event.step != State.OFFER:
            return False
        word, _, pressed_for = event.choice_id.partition(":")
        if word not in ("accept", "decline"):
            return False
        if pressed_for != str(offer["id"]):
            # A button of an offer that was replaced (or already answered).
            turn.say("merchant.offer_gone")
            ask(turn)
            return True
        text = word
    elif isinstance(event, TextMessage):
        text = event.text
    else:
        return False
    if normalize(text) in _ACCEPT:
        turn.commands.append(AnswerOffer(offer["id"], True))
        return True
    declined = _DECLINE.match(clean_text(text))
    if declined:
        reason = (declined.group(2) or "").strip()[:REASON_MAX] or None
        turn.commands.append(AnswerOffer(offer["id"], False, reason))
        return True
    return False


def answer_offer(turn: Turn, event: InboundEvent) -> bool:
    """A numbered or labelled answer to the offer question."""
    offer = turn.answers.get("offer") or {}
    if not isinstance(event, TextMessage) or not isinstance(offer.get("id"), int):
        return False
    ident = (match_choice(event.text, choices_for(turn)) or "").partition(":")[0]
    if ident in ("accept", "decline"):
        turn.commands.append(AnswerOffer(offer["id"], ident == "accept"))
        return True
    return False


def answer_consent(turn: Turn, event: InboundEvent) -> bool:
    """Yes or no to sharing contact details with the merchant named in the question."""
    consent = turn.answers.get("consent") or {}
    if not isinstance(event, TextMessage) or not isinstance(consent.get("merchant_id"), int):
        return False
    ident = match_choice(event.text, choices_for(turn))
    if ident == "yes" or (ident is None and is_yes(event.text)):
        given = True
    elif ident == "no" or (ident is None and is_no(event.text)):
        given = False
    else:
        return False
    turn.commands.append(AnswerConsent(str(consent.get("number")), consent["merchant_id"], given))
    return True


def answered(turn: Turn, command: Command, result: CommandResult) -> None:
    """Say what came of an answer and move on (to the rating after an accepted offer)."""
    if isinstance(command, AnswerConsent):
        consent = turn.answers.pop("consent", None) or {}
        key = "merchant.consent_given" if command.given else "merchant.consent_refused"
        if isinstance(result, Refused):
            key = "error.failed"
        turn.say(key, merchant=consent.get("merchant", ""), number=command.number)
        _leave(turn, "consent_return")
        return
    offer = turn.answers.pop("offer", None) or {}
    number = str(offer.get("number", ""))
    back = "offer_return"
    if isinstance(result, OfferAnswered) and result.accepted:
        turn.say("merchant.accepted", number=result.number,
                 date=format_date(turn.language, result.fulfil_by))  # fmt: skip
        turn.answers["return_to"] = turn.answers.pop(back, "") or State.MENU.value
        turn.answers["viewing"] = {"number": result.number}
        turn.state = State.RATING
        turn.say("rating.ask_after", number=result.number)
        ask(turn)
        return
    if isinstance(result, OfferAnswered):
        turn.say("merchant.declined", number=result.number)
    elif isinstance(result, Refused) and result.reason == "no_offer":
        turn.say("merchant.no_offer")
    else:
        turn.say("merchant.offer_gone", number=number)
    _leave(turn, back)


def _leave(turn: Turn, key: str) -> None:
    if turn.state in (State.OFFER, State.MERCHANT_CONSENT):
        turn.state = str(turn.answers.pop(key, "") or State.MENU.value)
        if turn.state == State.MERCHANT_CONSENT and not turn.answers.get("consent"):
            turn.state = State.MENU.value
        ask(turn)
    else:
        turn.answers.pop(key, None)


def answer_in_state(turn: Turn, event: InboundEvent) -> bool:
    """The answer to the current offer or consent question; False when it is neither."""
    if turn.state == State.OFFER:
        return answer_offer(turn, event)
    return answer_consent(turn, event)
