"""A consumer's data rights in chat: ``我的数据`` / ``my data``, ``删除我的数据`` /
``delete my data`` and ``撤回同意`` / ``withdraw consent``.

The words work in every state, both languages. Pure: gathering, erasing and withdrawing
are commands the engine carries out (bots/commands.py); how the export reaches the
consumer (a document, a download, a signed link) is the channel's business, named in
the command's result. Afterwards the consumer is back where they were (a draft in
progress is kept, except after an erasure, which removes it).
"""

from __future__ import annotations

from dialogs import clock
from dialogs.command_results import CommandResult, ConsentCases, DataErased, DataExport, Done
from dialogs.commands import Command, EraseMyData, ExportMyData, ListConsentCases, WithdrawConsent
from dialogs.events import InboundEvent, TextMessage
from dialogs.keywords import global_word, is_no, is_yes
from dialogs.machine import State
from dialogs.questions import ask, choices_for
from dialogs.replies import Reply
from dialogs.texts import status_label, t
from dialogs.turn import Turn
from dialogs.validators import match_choice

DATA_WORDS = frozenset({"my_data", "delete_my_data", "withdraw_consent"})
DATA_STATES = frozenset({State.DELETE_CONFIRM.value, State.CONSENT_PICK.value})
#: Answers keys that survive an erasure: none hold personal data.
_KEEP_AFTER_ERASURE = ("invalid",)


def data_word(turn: Turn, text: str) -> bool:
    """Start a data-rights action; False when ``text`` is not one of their words."""
    action = global_word(text)
    if action not in DATA_WORDS:
        return False
    if action == "my_data":
        turn.commands.append(ExportMyData())
    elif action == "delete_my_data":
        _remember_return(turn)
        turn.state = State.DELETE_CONFIRM
        ask(turn)
    else:
        turn.commands.append(ListConsentCases())
    return True


def _remember_return(turn: Turn) -> None:
    if turn.state not in DATA_STATES:
        back_to = turn.state if turn.state != State.START else State.MENU.value
        turn.answers["data_return"] = back_to


def leave_data(turn: Turn) -> None:
    """Back to where the consumer was before the data-rights question."""
    turn.answers.pop("consent_cases", None)
    turn.state = str(turn.answers.pop("data_return", "") or State.MENU.value)
    ask(turn)


def confirm_delete(turn: Turn, event: InboundEvent) -> bool:
    """Erase after a yes, keep everything after a no; False when neither."""
    if not isinstance(event, TextMessage):
        return False
    ident = match_choice(event.text, choices_for(turn))
    if ident == "yes" or (ident is None and is_yes(event.text)):
        # The draft lives in this conversation: it goes in this step; the rest (and the
        # drafts of linked channels) goes with the command, in the same transaction.
        for key in list(turn.answers):
            if key not in _KEEP_AFTER_ERASURE:
                del turn.answers[key]
        turn.state = State.MENU
        turn.commands.append(EraseMyData())
        return True
    if ident == "no" or (ident is None and is_no(event.text)):
        turn.say("data.delete_declined")
        leave_data(turn)
        return True
    return False


def pick_consent(turn: Turn, event: InboundEvent) -> bool:
    """The case whose consent to withdraw; False for anything else."""
    if not isinstance(event, TextMessage):
        return False
    number = match_choice(event.text, choices_for(turn))
    if number is None:
        return False
    turn.commands.append(WithdrawConsent(number))
    return True


def data_result(turn: Turn, command: Command, result: CommandResult) -> None:
    """Say what the export, the erasure or the withdrawal did."""
    if isinstance(result, DataExport):
        _exported(turn, result)
        ask(turn)
    elif isinstance(result, DataErased):
        _erased(turn, result)
        turn.state = State.MENU
        ask(turn)
    elif isinstance(result, ConsentCases):
        _consent_cases(turn, result)
    elif isinstance(command, WithdrawConsent):
        if isinstance(result, Done):
            turn.say("consent.withdrawn", number=command.number)
        else:
            turn.say("consent.not_found")
        if turn.state == State.CONSENT_PICK:
            leave_data(turn)
        else:
            ask(turn)
    else:
        turn.say("error.failed")
        ask(turn)


def summary_text(language: str, result: DataExport) -> str:
    """The readable summary of an export, in ``language``."""
    channels = ", ".join(t(language, f"platform.{p}") for p in result.channels)
    lines = [
        t(
            language,
            "data.summary",
            channels=channels or "-",
            complaints=len(result.complaints),
            evidence=result.evidence,
            given=result.consents_given,
            withdrawn=result.consents_withdrawn,
        )
    ]
    for number, status in result.complaints:
        lines.append(t(language, "data.complaint_line", number=number,
                       status=status_label(status, language)))
    return "\n".join(lines)


def _exported(turn: Turn, result: DataExport) -> None:
    turn.replies.append(Reply(summary_text(turn.language, result)))
    if result.delivery == "document":
        turn.replies.append(Reply(turn.t("data.document"), attachment="my_data"))
    elif result.delivery == "download":
        turn.replies.append(Reply(turn.t("data.download"), attachment="my_data"))
    elif result.delivery == "link" and result.link:
        until = result.link_expires or turn.now
        turn.say("data.link", link=result.link,
                 until=f"{clock.local_now(until):%Y-%m-%d %H:%M}")


def _erased(turn: Turn, result: DataErased) -> None:
    turn.say("data.erased", cases=result.closed_cases, files=result.files)
    if result.open_cases:
        turn.say("data.erased_open", numbers=", ".join(result.open_cases))
    turn.say("data.kept", years=turn.options.retention_years)


def _consent_cases(turn: Turn, result: ConsentCases) -> None:
    if not result.numbers:
        turn.say("consent.none")
        ask(turn)
    elif len(result.numbers) == 1:
        turn.commands.append(WithdrawConsent(result.numbers[0]))
    else:
        _remember_return(turn)
        turn.answers["consent_cases"] = list(result.numbers)
        turn.state = State.CONSENT_PICK
        ask(turn)
