"""Bar charts as SVG, rendered on the server (no JavaScript, no CDN)."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

BAR = 22
GAP = 6
LABEL_WIDTH = 140
CHART_WIDTH = 320


def fit(label: str, width: int = LABEL_WIDTH) -> str:
    """``label`` cut to about ``width`` pixels at 12 px (CJK characters count double)."""
    room, used = width - 10, 0
    for i, ch in enumerate(label):
        used += 12 if ord(ch) > 0x2E7F else 7
        if used > room:
            return label[: max(1, i - 1)] + "…"
    return label


def bars(
    title: str,
    data: list[tuple[str, float]],
    *,
    unit: str = "",
    links: list[str] | None = None,
) -> Markup:
    """A horizontal bar chart of ``(label, value)`` pairs, largest scale = longest bar.

    Long labels are shortened to fit (the full label stays in the bar's tooltip);
    ``links``, one per bar, make each bar and its label a link (to the filtered list).
    """
    height = 30 + max(1, len(data)) * (BAR + GAP)
    top = max((value for _, value in data), default=0) or 1
    full_width = LABEL_WIDTH + CHART_WIDTH + 80
    parts = [
        # A chart of links is a group of them; role="img" would hide the links.
        f'<svg xmlns="http://www.w3.org/2000/svg" role="{"group" if links else "img"}" '
        f'class="chart" '
        f'width="{full_width}" height="{height}" viewBox="0 0 {full_width} {height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(data):
        y = 28 + i * (BAR + GAP)
        width = round(CHART_WIDTH * value / top, 1)
        shown = f"{value:g}{unit}"
        bar = [
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">'
            f"{escape(fit(label))}</text>",
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR}" class="bar">'
            f"<title>{escape(label)}: {escape(shown)}</title></rect>",
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 15}">{escape(shown)}</text>',
        ]
        if links:
            bar = [f'<a href="{escape(links[i])}">', *bar, "</a>"]
        parts += bar
    if not data:
        parts.append(f'<text x="{LABEL_WIDTH}" y="44">—</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
