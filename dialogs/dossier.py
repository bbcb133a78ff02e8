"""``证据包`` / ``dossier``: the consumer asks for the evidence dossier of a complaint.

Works in every state and keeps the consumer where they were. On a complaint's detail
screen it is that complaint's dossier; anywhere else the newest complaint's, with a
word on how to get another one's (open it in "my complaints" and ask there) — one
message gets the consumer a document without a question in between. Pure: the
engine finds the complaint among the consumer's own and makes the link or document.
"""

from __future__ import annotations

from dialogs.command_results import CommandResult, DossierReady, Refused
from dialogs.commands import SendDossier
from dialogs.machine import State
from dialogs.questions import ask
from dialogs.replies import Reply
from dialogs.turn import Turn


def request_dossier(turn: Turn) -> None:
    """Ask the engine for the dossier of the complaint on screen, or of the newest."""
    number = None
    if turn.state == State.MY_DETAIL:
        viewing = turn.answers.get("viewing") or {}
        number = str(viewing.get("number") or "") or None
    turn.commands.append(SendDossier(number, turn.language))


def dossier_result(turn: Turn, command: SendDossier, result: CommandResult) -> None:
    """Give the link or the document, or say there is no complaint to make one of."""
    if isinstance(result, DossierReady):
        if result.document:
            key = "dossier.ready_document"
        else:
            key = "dossier.ready_link_expires" if result.expires else "dossier.ready_link"
        text = turn.t(key, number=result.number, link=result.link or "")
        turn.replies.append(Reply(text, link=result.link, document=result.document))
        if result.newest:
            turn.say("dossier.other_complaint")
    elif isinstance(result, Refused) and command.number is None:
        turn.say("dossier.none_filed")
    else:
        turn.say("my.not_found")
    ask(turn)
