"""Colours, font and legend of the drawings, shared by every kind of picture.

>>> STYLE["leaf"][3]
'leaf that needs a grad'
"""

from __future__ import annotations

from .graphviz_io import html_text

FONT = "Helvetica,Arial,sans-serif"

MUTED = "#6b7280"
# kind: (fill, border, text colour, legend text) - soft fills, darker borders of the same hue.
STYLE = {
    "leaf": ("#dbeafe", "#2563eb", "#1e3a8a", "leaf that needs a grad"),
    "const": ("#f3f4f6", "#9ca3af", "#4b5563", "constant or data (no grad)"),
    "inner": ("#ffffff", "#64748b", "#111827", "intermediate value"),
    "root": ("#fef3c7", "#d97706", "#78350f", "root (grad 1)"),
    "op": ("#ede9fe", "#7c3aed", "#4c1d95", "operation"),
    "current": ("#fee2e2", "#dc2626", "#7f1d1d", "node of this step"),
    "input": ("#dcfce7", "#16a34a", "#14532d", "its inputs (grad += contribution)"),
    "pending": ("#ffffff", "#cbd5e1", MUTED, "grad pending: more contributions to come"),
}


def legend_table(entries: list, *, across: bool = False) -> str:
    """An HTML-like label listing ``(fill, border, text)`` swatches, one per row or ``across``."""
    cells = [f'<td width="18" height="12" bgcolor="{fill}" border="1" color="{border}"></td>'
             f'<td align="left"><font point-size="10">{html_text(text)}</font></td>'
             for fill, border, text in entries]
    rows = "".join(cells) if across else "</tr><tr>".join(cells)
    return (f'<<table border="1" cellborder="0" cellspacing="4" cellpadding="2" '
            f'color="#cbd5e1" bgcolor="#ffffff"><tr>{rows}</tr></table>>')
