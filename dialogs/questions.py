"""The question of every state: its text, its choices and the draft summary.

:func:`choices_for` is the single source of a state's options, used both to render the
question and to read the answer, so "2" always means what the consumer was shown.
"""

from __future__ import annotations

from typing import Any

from dialogs.flow import load_flow
from dialogs.machine import State, applicable_steps
from dialogs.replies import Choice, Reply
from dialogs.texts import category_label, demand_label, list_separator, type_label
from dialogs.turn import Turn
from dialogs.vocabulary import Language

#: Characters of a free-text answer shown in the summary; the rest with "查看 N" / "show N".
#: The summary, its question and its choices must fit one WeChat reply (2,048 bytes).
SUMMARY_CHARS = 50
MENU_ITEMS = (
    "complaint", "report", "consultation", "suggestion", "my_complaints", "help", "language",
)
DETAIL_ACTIONS = ("add_evidence", "reply", "withdraw", "rate", "back")


def _pick(turn: Turn, *ids: str) -> tuple[Choice, ...]:
    return tuple(Choice(i, turn.t(f"choice.{i}")) for i in ids)


def choices_for(turn: Turn, state: str | None = None) -> tuple[Choice, ...]:
    """The options offered in ``state`` (default: the turn's state)."""
    state = state or turn.state
    flow = load_flow()
    lang = turn.language
    if state in (State.START, State.MENU):
        return tuple(Choice(i, turn.t(f"menu.{i}")) for i in MENU_ITEMS)
    if state == "category":
        return tuple(Choice(c.id, c.label(lang)) for c in flow.categories)
    if state == "subcategory":
        parent = flow.category(turn.draft.get("category"))
        return tuple(Choice(s.id, s.label(lang)) for s in parent.sub) if parent else ()
    if state == "demands":
        return tuple(Choice(d.id, d.label(lang)) for d in flow.demands)
    if state in ("merchant_address", "order_number", State.RATING_COMMENT):
        return _pick(turn, "skip")
    if state == "incident_date":
        return _pick(turn, "today", "yesterday")
    if state == "evidence":
        return _pick(turn, "done", "skip")
    if state == "contact_mode":
        return _pick(turn, "anonymous", "leave_contact")
    if state == State.OFFER:
        # The offer's id rides in the button: a button of an earlier, replaced offer
        # must not accept the one that replaced it.
        offer_id = (turn.answers.get("offer") or {}).get("id")
        words = ("accept", "decline")
        return tuple(Choice(f"{w}:{offer_id}", turn.t(f"choice.{w}")) for w in words)
    if state in ("consent_share", State.CANCEL_CONFIRM, State.CONFIRM_WITHDRAW,
                 State.LINK_CONFIRM, State.DELETE_CONFIRM, State.MERCHANT_CONSENT):
        return _pick(turn, "yes", "no")
    if state == "handled_elsewhere":
        # "No" first: the usual answer, and the one a consumer answering "1" means.
        return _pick(turn, "no", "yes")
    if state == State.TIME_LIMIT:
        return _pick(turn, "file_anyway", "consult_instead")
    if state == State.ELSEWHERE_REFUSED:
        return _pick(turn, "consult_instead", "change_answer")
    if state == State.CONFIRM:
        return _pick(turn, "confirm", "edit", "cancel")
    if state == State.EDIT_PICK:
        return tuple(
            Choice(s, turn.t(f"field.{s}")) for s in applicable_steps(turn.answers)
        )
    if state == State.RESUME:
        if turn.answers.get("resume_new"):
            # Asked before a new request would replace the draft: say what is lost.
            return (Choice("continue", turn.t("choice.continue")),
                    Choice("start_over", turn.t("choice.discard_draft")))
        return _pick(turn, "continue", "start_over")
    if state == State.LANGUAGE:
        return (
            Choice(Language.ZH_CN, turn.t("choice.zh")), Choice(Language.EN, turn.t("choice.en"))
        )
    if state == State.MY_LIST:
        listed = turn.answers.get("listed") or []
        return tuple(
            Choice(str(item.get("id")), str(item.get("label")))
            for item in listed if isinstance(item, dict)
        )
    if state == State.MY_DETAIL:
        viewing = turn.answers.get("viewing") or {}
        allowed = [a for a in DETAIL_ACTIONS if a == "back" or viewing.get(f"can_{a}")]
        return _pick(turn, *allowed)
    if state == State.ADDING_EVIDENCE:
        return _pick(turn, "done")
    if state == State.CONSENT_PICK:
        cases = turn.answers.get("consent_cases") or []
        return tuple(Choice(str(n), str(n)) for n in cases)
    if state == State.RATING:
        return tuple(Choice(str(n), str(n)) for n in range(1, 6))
    return ()


def _prompt(turn: Turn, state: str) -> str:
    number = str((turn.answers.get("viewing") or {}).get("number", ""))
    type_id = str(turn.answers.get("type") or "complaint")
    if state in (State.START, State.MENU):
        return turn.t("menu.prompt")
    if state == "description":
        return turn.t(f"prompt.description.{type_id}")
    if state == "evidence":
        return turn.t("prompt.evidence", max=turn.options.max_evidence_files)
    if state == State.CONFIRM:
        return summary(turn) + "\n\n" + turn.t("prompt.confirm_question")
    if state == State.RESUME and turn.answers.get("resume_new"):
        new_type = type_label(str(turn.answers["resume_new"]), turn.language)
        return turn.t("prompt.resume_new", type=type_label(type_id, turn.language), new=new_type)
    if state == State.RESUME:
        return turn.t("prompt.resume", type=type_label(type_id, turn.language))
    if state == State.LINK_CONFIRM:
        platform = str((turn.answers.get("link_pending") or {}).get("platform", ""))
        return turn.t("prompt.link_confirm", platform=turn.t(f"platform.{platform}"))
    if state == State.TIME_LIMIT:
        step = load_flow().steps.get(str(turn.answers.get("gate_from") or ""))
        years = step.params.get("time_limit_years", 3) if step else 3
        return turn.t("prompt.time_limit", years=years)
    if state == State.OFFER:
        shown = str((turn.answers.get("offer") or {}).get("text", ""))
        return f"{shown}\n\n{turn.t('prompt.offer')}".strip()
    if state == State.MERCHANT_CONSENT:
        consent = turn.answers.get("consent") or {}
        merchant, number = consent.get("merchant", ""), consent.get("number", "")
        return turn.t("prompt.merchant_consent", merchant=merchant, number=number)
    if state == State.MY_LIST:
        return turn.t("my.list", count=len(turn.answers.get("listed") or []))
    if state in (State.CONFIRM_WITHDRAW, State.ADDING_EVIDENCE, State.RATING, State.REPLYING):
        return turn.t(f"prompt.{state}", number=number)
    return turn.t(f"prompt.{state}")


def question(turn: Turn, state: str | None = None) -> Reply:
    """The question of ``state`` (default: the turn's state) as a Reply."""
    state = state or turn.state
    return Reply(
        _prompt(turn, state),
        choices=choices_for(turn, state),
        step=state,
        request_contact=state == "contact_phone",
        multi=state == "demands",
        progress=progress(turn, state),
        language=turn.language,
    )


def progress(turn: Turn, state: str) -> tuple[int, int] | None:
    """``(n, of)`` when ``state`` is step n of the ``of`` steps the draft's type asks now.

    Counted from the flow with the draft's answers, so a step skipped by its ``when``
    condition (no subcategories, an anonymous report) is not counted.
    """
    if turn.answers.get("type") is None:
        return None
    steps = applicable_steps(turn.answers)
    if state not in steps:
        return None
    return (steps.index(state) + 1, len(steps))


def ask(turn: Turn) -> None:
    """Append the question of the turn's current state."""
    turn.replies.append(question(turn))


def show_value(turn: Turn, step: str) -> str:
    """One draft answer as the consumer reads it in the summary."""
    lang = turn.language
    draft = turn.draft
    empty = turn.t("summary.empty")
    if step == "evidence":
        return turn.t("summary.files", count=int(turn.answers.get("evidence_count") or 0))
    if step == "contact_mode":
        mode = turn.answers.get("contact_mode") or "leave_contact"
        return turn.t(f"summary.{mode}")
    value: Any = draft.get(step)
    if value is None or value == []:
        return empty
    if step == "category":
        return category_label(str(value), lang)
    if step == "subcategory":
        return category_label(str(value), lang)
    if step == "demands":
        return list_separator(lang).join(demand_label(str(d), lang) for d in value)
    if step == "amount":
        return turn.t("summary.money", amount=value)
    if isinstance(value, bool):  # yes/no steps (consent, accepted elsewhere)
        return turn.t("summary.yes" if value else "summary.no")
    return str(value)


def summary(turn: Turn) -> str:
    """The numbered summary of the draft shown before submitting.

    Long answers are shortened to :data:`SUMMARY_CHARS` on one line, so the question
    and its choices after the summary always arrive; "查看 N" / "show N" shows one whole.
    """
    type_id = str(turn.answers.get("type") or "complaint")
    lines = [turn.t("prompt.confirm", type=type_label(type_id, turn.language))]
    for n, step in enumerate(applicable_steps(turn.answers), start=1):
        value = " ".join(show_value(turn, step).split())
        if len(value) > SUMMARY_CHARS:
            value = value[: SUMMARY_CHARS - 1].rstrip() + "…" + turn.t("summary.more", n=n)
        lines.append(turn.t("summary.line", n=n, field=turn.t(f"field.{step}"), value=value))
    return "\n".join(lines)


def help_text(turn: Turn, state: str | None = None) -> str:
    """Context help for ``state``, or the general help."""
    key = f"help.{state or turn.state}"
    text = turn.t(key)
    return turn.t("help.generic") if text == key else text
