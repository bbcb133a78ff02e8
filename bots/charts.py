"""Bar charts as SVG, rendered on the server (no JavaScript, no CDN)."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

BAR = 22
GAP = 6
LABEL_WIDTH = 140
CHART_WIDTH = 320


def bars(title: str, data: list[tuple[str, float]], *, unit: str = "") -> Markup:
    """A horizontal bar chart of ``(label, value)`` pairs, largest scale = longest bar."""
    height = 30 + max(1, len(data)) * (BAR + GAP)
    top = max((value for _, value in data), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'width="{LABEL_WIDTH + CHART_WIDTH + 80}" height="{height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(data):
        y = 28 + i * (BAR + GAP)
        width = round(CHART_WIDTH * value / top, 1)
        shown = f"{value:g}{unit}"
        parts += [
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR}" class="bar">'
            f"<title>{escape(label)}: {escape(shown)}</title></rect>",
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 15}">{escape(shown)}</text>',
        ]
    if not data:
        parts.append(f'<text x="{LABEL_WIDTH}" y="44">—</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
