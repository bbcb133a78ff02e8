"""The Official Account's custom menu (``weiquan wechat menu``).

Each button is a CLICK with a key the dialog knows (``complain``, ``my_complaints``,
``help``): the click arrives as a MenuClicked event and is answered passively.
"""

from __future__ import annotations

from typing import Any

from adapters.wechat.adapter import WeChatApi
from dialogs.texts import t

# Menu key -> catalog key of its label.
BUTTONS = (
    ("complain", "menu.complaint"),
    ("my_complaints", "menu.my_complaints"),
    ("help", "menu.help"),
)
# WeChat allows at most 16 bytes (about 5 Chinese characters) for a top-level name.
MAX_NAME_BYTES = 16


def menu_data(language: str) -> dict[str, Any]:
    """The menu definition for ``menu/create`` in ``language``."""
    buttons = []
    for key, label in BUTTONS:
        name = t(language, label).encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", "ignore")
        buttons.append({"type": "click", "name": name.strip(), "key": key})
    return {"button": buttons}


async def install(api: WeChatApi, language: str) -> dict[str, Any]:
    """Create (replace) the account's menu; returns WeChat's answer."""
    data = menu_data(language)
    result: dict[str, Any] = await api.call(lambda client: client.menu.create(data))
    return result
