"""How a load run prints: one line a window, a ratio a pair, a summary a run."""

from __future__ import annotations

import math
from typing import Any

from bench.common import Figures, median
from bench.windows import Window


def _ms(seconds: float) -> float:
    return seconds * 1000


def window_line(pair: int, window: Window) -> str:
    f, used = window.figures, window.used
    return (
        f"  {pair} {window.target:<8} {f.rate:6.0f} msg/s  p50 {_ms(f.percentile(50)):6.1f}  "
        f"p99 {_ms(f.percentile(99)):6.1f} ms  errors {f.errors:<3} CPU ms/msg: server "
        f"{window.per_message_ms(used.server):.2f} pg {window.per_message_ms(used.postgres):.2f} "
        f"generator {window.per_message_ms(used.generator):.2f}  others "
        f"{used.others / f.seconds:.2f} cores  filing p50 {_ms(window.filing.percentile(50)):.0f} "
        f"p99 {_ms(window.filing.percentile(99)):.0f} ms  n={window.messages}"
    )


def pair_line(pair: int, baseline: Window, weiquan: Window) -> str:
    rate = baseline.figures.rate
    return f"  {pair} ratio {weiquan.figures.rate / rate if rate else math.nan:.2f}"


def _side(windows: list[Window]) -> dict[str, Any]:
    merged, filing = Figures(), Figures()
    for window in windows:
        merged.latencies.extend(window.figures.latencies)
        merged.errors += window.figures.errors
        filing.latencies.extend(window.filing.latencies)
    messages = sum(w.messages for w in windows) or math.nan

    def per_message(part: str) -> float:
        spent: float = sum(getattr(w.used, part) for w in windows)
        return round(spent / messages * 1000, 3)

    return {
        "rates": [round(w.figures.rate) for w in windows],
        "median_rate": round(median([w.figures.rate for w in windows])),
        "p50_ms": round(_ms(merged.percentile(50)), 1),
        "p99_ms": round(_ms(merged.percentile(99)), 1),
        "window_p99_ms": [round(_ms(w.figures.percentile(99)), 1) for w in windows],
        "errors": merged.errors,
        "filing_p50_ms": round(_ms(filing.percentile(50)), 1),
        "filing_p99_ms": round(_ms(filing.percentile(99)), 1),
        "cpu_ms_per_msg": {p: per_message(p) for p in ("server", "postgres", "generator")},
    }


def summary(windows: list[Window]) -> dict[str, Any]:
    """Each side's figures over its windows, and the pairs' ratios."""
    sides = {t: [w for w in windows if w.target == t] for t in ("baseline", "weiquan")}
    result: dict[str, Any] = {t: _side(ws) for t, ws in sides.items() if ws}
    if sides["baseline"]:
        ratios = [
            w.figures.rate / b.figures.rate if b.figures.rate else math.nan
            for b, w in zip(sides["baseline"], sides["weiquan"], strict=True)
        ]
        result["ratios"] = [round(r, 2) for r in ratios]
        result["median_ratio"] = round(median(ratios), 2)
    return result


def summary_lines(result: dict[str, Any]) -> str:
    lines = []
    for side in ("baseline", "weiquan"):
        if side in result:
            s = result[side]
            cost = s["cpu_ms_per_msg"]
            lines.append(
                f"  {side:<8} median {s['median_rate']} msg/s  p50 {s['p50_ms']}  p99 "
                f"{s['p99_ms']} ms (windows {s['window_p99_ms']})  errors {s['errors']}  filing "
                f"p50 {s['filing_p50_ms']} p99 {s['filing_p99_ms']} ms  "
                f"CPU ms/msg server {cost['server']} pg {cost['postgres']} "
                f"generator {cost['generator']}"
            )
    if "ratios" in result:
        lines.append(f"  ratios {result['ratios']}  median {result['median_ratio']}")
    return "\n".join(lines)
