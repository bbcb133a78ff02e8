"""Deployment options of the intake dialog (re-exported by dialogs.intake)."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.vocabulary import DEFAULT_LANGUAGE, Language


@dataclass(frozen=True)
class DialogOptions:
    """What a deployment may tune without editing flow.yaml.

    Attributes:
        default_language: ``zh-CN`` or ``en`` for consumers without a known language.
        draft_resume_hours: after this long away, ask whether to continue a draft.
        max_evidence_files: evidence files a draft (or a complaint) may carry.
        accept_workdays: shown in texts when a filed complaint has no acceptance date.
        resolve_workdays: shown in texts when a filed complaint has no resolution date.
        retention_years: closed cases are kept this long (told after an erasure).
    """

    default_language: Language = DEFAULT_LANGUAGE
    draft_resume_hours: int = 24
    max_evidence_files: int = 9
    accept_workdays: int = 7
    resolve_workdays: int = 60
    retention_years: int = 3
