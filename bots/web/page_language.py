"""The language a page is shown in: ``?lang=``, else the page's cookie, else the deployment's.

The console, the merchant desk and their error pages read it the same way; the tag is
read by :meth:`dialogs.vocabulary.Language.parse`, so ``?lang=en-GB`` is English and
``?lang=fr`` the deployment's language, on every page.
"""

from __future__ import annotations

from fastapi import Request

from dialogs.vocabulary import DEFAULT_LANGUAGE, Language, supported


def asked(request: Request, cookie: str) -> str | None:
    """The tag the page was asked for: ``?lang=`` first, then the cookie ``cookie``."""
    return request.query_params.get("lang") or request.cookies.get(cookie)


def page_language(request: Request, cookie: str, default: Language) -> Language:
    """The language to show: what was asked for when it is ours, else ``default``."""
    return Language.parse(asked(request, cookie), default)


def deployment_language(request: Request) -> Language:
    """``WEIQUAN_LANGUAGE`` of the app serving ``request`` (an error page may come before
    the services are up: then the built-in default)."""
    services = getattr(request.app.state, "services", None)
    settings = getattr(services, "settings", None)
    return supported(getattr(settings, "language", None)) or DEFAULT_LANGUAGE


def remembers(request: Request) -> bool:
    """Whether ``?lang=`` named one of our languages, so the page's cookie keeps it."""
    return supported(request.query_params.get("lang")) is not None
