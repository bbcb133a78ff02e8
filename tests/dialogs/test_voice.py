"""A transcribed voice message: the answer to a question, or evidence where files are asked."""

from __future__ import annotations

from dialogs.events import MediaKind, MediaMessage

from .helpers import Bot, base


def voice(recognised: str) -> MediaMessage:
    return MediaMessage(
        **base(), kind=MediaKind.AUDIO, platform_ref="v1", recognised_text=recognised
    )


def test_voice_answers_the_question_outside_evidence_steps() -> None:
    bot = Bot()
    bot.send("hi")
    bot.send(voice("我要投诉"))
    assert bot.state == "category"
    assert bot.evidence == {}


def test_voice_is_kept_as_evidence_at_the_evidence_step() -> None:
    bot = Bot()
    for line in ["hi", "1", "appliances", "1", "no", "Shop", "skip", "skip", "today", "100",
                 "It broke on the first day of use.", "1"]:
        bot.send(line)
    assert bot.state == "evidence"
    bot.send(voice("这是录音"))
    assert bot.evidence[None] == 1
    assert bot.state == "evidence"
