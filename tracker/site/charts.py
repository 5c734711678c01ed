"""Charts drawn at build time as inline SVG: no JavaScript, nothing from the internet, readable in print.

Accessible by construction: every chart has a <title> and <desc>, every bar carries its label and
number as text, and the two series of a paired chart differ by pattern (solid / hatched), not only
by colour.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

_FONT = 'font-family="sans-serif" font-size="12"'
_COLORS = ("#c62828", "#1565c0")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _text_width(text: str) -> float:
    """Rough pixel width of a label at 12px: CJK characters are about twice as wide as ASCII."""
    return sum(12 if ord(ch) > 0x2E80 else 7 for ch in text)


def _frame(title: str, desc: str, width: float, height: float, body: str) -> Markup:
    uid = "c" + hashlib.sha1(f"{title}|{desc}".encode()).hexdigest()[:8]
    body = body.replace("{uid}", uid)
    return Markup(
        f'<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" {_FONT}><title id="{uid}-t">{escape(title)}</title>'
        f'<desc id="{uid}-d">{escape(desc)}</desc>{body}</svg>'
        f"<figcaption>{escape(title)}</figcaption></figure>"
    )


def bar_chart(title: str, bars: Sequence[Bar], unit: str = "户") -> Markup:
    """Horizontal bars, one per label, with the number written at the end of each bar."""
    label_w = max([_text_width(b.label) for b in bars] + [40]) + 10
    plot_w, row_h = 320.0, 22.0
    top = max(value.value for value in bars) if bars else 0
    parts = []
    for i, bar in enumerate(bars):
        y = 8 + i * row_h
        length = 0 if top <= 0 else plot_w * bar.value / top
        parts.append(
            f'<text x="{label_w - 6:.0f}" y="{y + 14:.0f}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect x="{label_w:.0f}" y="{y + 3:.0f}" width="{max(length, 1):.1f}" height="{row_h - 6:.0f}" '
            f'fill="{_COLORS[0]}"><title>{escape(bar.label)}：{_num(bar.value)} {escape(unit)}</title></rect>'
            f'<text x="{label_w + length + 4:.1f}" y="{y + 14:.0f}">{_num(bar.value)}</text>'
        )
    if not bars:
        parts.append('<text x="10" y="20">暂无数据</text>')
    height = 16 + max(len(bars), 1) * row_h
    desc = "；".join(f"{b.label} {_num(b.value)} {unit}" for b in bars) or "暂无数据"
    return _frame(title, desc, label_w + plot_w + 60, height, "".join(parts))


def paired_chart(title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
                 unit: str = "户") -> Markup:
    """Vertical bars in pairs per category (e.g. months): new vs cleared, told apart by pattern and legend."""
    slot, bar_w, plot_h, left, top_pad = 46.0, 16.0, 150.0, 34.0, 34.0
    peak = max([v for _, values in series for v in values] + [0])
    parts = [
        f'<defs><pattern id="{{uid}}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{_COLORS[1]}" stroke-width="3"/></pattern></defs>'
    ]
    fills = (_COLORS[0], "url(#{uid}-hatch)")
    for s, (name, _) in enumerate(series):
        x = left + s * 120
        parts.append(f'<rect x="{x:.0f}" y="6" width="14" height="14" fill="{fills[s % 2]}" stroke="#333"/>'
                     f'<text x="{x + 20:.0f}" y="18">{escape(name)}</text>')
    base = top_pad + plot_h
    parts.append(f'<line x1="{left:.0f}" y1="{base:.0f}" x2="{left + slot * len(categories):.0f}" '
                 f'y2="{base:.0f}" stroke="#333"/>')
    for c, label in enumerate(categories):
        x0 = left + c * slot + 4
        for s, (name, values) in enumerate(series):
            value = values[c]
            h = 0 if peak <= 0 else plot_h * value / peak
            x = x0 + s * (bar_w + 2)
            parts.append(
                f'<rect x="{x:.0f}" y="{base - h:.1f}" width="{bar_w:.0f}" height="{max(h, 0.5):.1f}" '
                f'fill="{fills[s % 2]}" stroke="#333" stroke-width="0.5"><title>{escape(label)} '
                f'{escape(name)}：{_num(value)} {escape(unit)}</title></rect>'
                f'<text x="{x + bar_w / 2:.0f}" y="{base - h - 3:.1f}" text-anchor="middle" '
                f'font-size="10">{_num(value)}</text>'
            )
        parts.append(f'<text x="{x0 + bar_w:.0f}" y="{base + 14:.0f}" text-anchor="middle" '
                     f'font-size="10">{escape(label)}</text>')
    desc = "；".join(
        f"{label}：" + "，".join(f"{name} {_num(values[c])}" for name, values in series)
        for c, label in enumerate(categories)
    )
    width = max(left + slot * max(len(categories), 1) + 10, 280)
    return _frame(title, desc, width, base + 24, "".join(parts))


def progress_chart(title: str, bars: Sequence[tuple[str, int, int]]) -> Markup:
    """Completion bars: label, done, total — drawn as done/total with the fraction written out."""
    label_w = max([_text_width(label) for label, _, _ in bars] + [40]) + 10
    plot_w, row_h = 300.0, 22.0
    parts = []
    for i, (label, done, total) in enumerate(bars):
        y = 8 + i * row_h
        share = done / total if total else 0
        parts.append(
            f'<text x="{label_w - 6:.0f}" y="{y + 14:.0f}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w:.0f}" y="{y + 3:.0f}" width="{plot_w:.0f}" height="{row_h - 6:.0f}" '
            f'fill="#fff" stroke="#666"/>'
            f'<rect x="{label_w:.0f}" y="{y + 3:.0f}" width="{plot_w * share:.1f}" height="{row_h - 6:.0f}" '
            f'fill="{_COLORS[1]}"/>'
            f'<text x="{label_w + plot_w + 6:.0f}" y="{y + 14:.0f}">{done}/{total}（{share:.0%}）</text>'
        )
    desc = "；".join(f"{label} 完成 {done}/{total}" for label, done, total in bars) or "暂无数据"
    return _frame(title, desc, label_w + plot_w + 110, 16 + max(len(bars), 1) * row_h, "".join(parts))
