"""The short questions around a draft: the summary, which item to edit, cancel, resume.

Also builds the exact draft handed to ``FileComplaint``.
"""

from __future__ import annotations

import re

from dialogs.admissibility import to_consultation
from dialogs.answers import advance
from dialogs.commands import FileComplaint
from dialogs.draft import Draft
from dialogs.keywords import is_no, is_yes
from dialogs.machine import State, applicable_steps, fire
from dialogs.navigation import discard, show_menu, start_draft, switch_language
from dialogs.questions import ask, choices_for, show_value
from dialogs.replies import Reply
from dialogs.turn import Turn
from dialogs.validators import match_choice, normalize

_EDIT = re.compile(r"^(?:edit|change|修改|改|更改)\s*(?:第)?\s*(\d{1,2})\s*(?:项)?$")
_SHOW = re.compile(r"^(?:show|view|查看|看)\s*(?:第)?\s*(\d{1,2})\s*(?:项)?$")


def answer_confirm(turn: Turn, text: str) -> bool:
    """Submit, edit (``修改 3`` / ``edit 3`` or via a list) or fall through; False if unknown."""
    match = _EDIT.match(normalize(text))
    steps = applicable_steps(turn.answers)
    shown = _SHOW.match(normalize(text))
    if shown and 1 <= int(shown.group(1)) <= len(steps):
        n = int(shown.group(1))
        step = steps[n - 1]
        turn.replies.append(Reply(turn.t(
            "summary.full", n=n, field=turn.t(f"field.{step}"), value=show_value(turn, step)
        )))
        # Only the question again, not the whole summary: the item is what was asked for.
        turn.replies.append(Reply(
            turn.t("prompt.confirm_question"), choices_for(turn), step=turn.state
        ))
        return True
    if match and 1 <= int(match.group(1)) <= len(steps):
        fire(turn, "edit", step=steps[int(match.group(1)) - 1])
        ask(turn)
        return True
    ident = match_choice(text, choices_for(turn))
    if ident == "edit":
        fire(turn, "edit")
        ask(turn)
    elif ident == "confirm":
        fire(turn, "confirm")
        if turn.state == State.CONFIRM:
            turn.commands.append(FileComplaint(build_draft(turn)))
        else:
            # Defensive: a step skipped by "back" while editing is asked before filing.
            ask(turn)
    else:
        return False
    return True


def answer_gate(turn: Turn, text: str) -> bool:
    """Answer an admissibility question (time limit, accepted elsewhere); False if unknown."""
    ident = match_choice(text, choices_for(turn))
    gate_from = str(turn.answers.get("gate_from") or "")
    if ident == "consult_instead":
        to_consultation(turn)
    elif ident == "file_anyway" and turn.state == State.TIME_LIMIT and gate_from:
        advance(turn)
    elif ident == "change_answer" and gate_from:
        fire(turn, "back")
        ask(turn)
    else:
        return False
    return True


def answer_small_question(turn: Turn, text: str) -> bool:
    """Answer the cancel, resume or language question; False when nothing matched."""
    ident = match_choice(text, choices_for(turn))
    if turn.state == State.LANGUAGE:
        if ident is None:
            return False
        switch_language(turn, ident)
        return True
    if turn.state == State.CANCEL_CONFIRM:
        if ident == "yes" or (ident is None and is_yes(text)):
            fire(turn, "confirm")
            discard(turn)
            turn.say("cancelled")
            show_menu(turn)
        elif ident == "no" or (ident is None and is_no(text)):
            fire(turn, "resume")
            ask(turn)
        else:
            return False
        return True
    if ident == "continue":
        fire(turn, "resume")
        ask(turn)
    elif ident == "start_over":
        start_draft(turn, str(turn.answers.get("resume_new") or turn.answers.get("type")
                              or "complaint"))
    else:
        return False
    return True


def build_draft(turn: Turn) -> Draft:
    """The draft handed to FileComplaint: the answers of the steps that apply, typed."""
    return Draft.from_answers(
        turn.answers.get("draft"),
        type_id=str(turn.answers.get("type")),
        steps=set(applicable_steps(turn.answers)),
        language=turn.language,
    )
