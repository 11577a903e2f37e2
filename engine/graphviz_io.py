"""Graphviz plumbing for the drawings: rendering with a clear error, and safe label text.

A missing ``dot`` program becomes one :class:`GraphvizNotFound` that says how to
install it; Jupyter shows the DOT text instead of a traceback; labels are
escaped so no text a learner types can break a drawing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from typing import Optional

import graphviz

from .naming import fmt

INSTALL_HINT = ("install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), "
                "`brew install graphviz` (macOS), or `make demo` in the chainrule "
                "repository, which installs it when it can")


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """The ``dot`` program is missing: the message says how to install it."""

    def __init__(self, detail: str = "") -> None:
        RuntimeError.__init__(
            self, "cannot render the graph: Graphviz's `dot` program was not found "
            f"on PATH{' (' + detail + ')' if detail else ''}. To render, {INSTALL_HINT}. "
            "The DOT text is still available as `.source`.")


class GraphDrawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that explains a missing ``dot`` and shows text in Jupyter.

    Rendering without ``dot`` raises :class:`GraphvizNotFound` (one clear
    message); Jupyter's display falls back to the DOT source instead of a
    traceback. ``pipe()`` gives up after ``timeout`` seconds (``None``: never).
    """

    timeout: Optional[float] = 60.0

    def pipe(self, format: Optional[str] = None, renderer: Optional[str] = None,
             formatter: Optional[str] = None, neato_no_op=None, quiet: bool = False, *,
             engine: Optional[str] = None, encoding: Optional[str] = None):
        """Render with ``dot`` and return the output, like ``graphviz.Digraph.pipe``."""
        special = renderer or formatter or neato_no_op or engine not in (None, "dot")
        dot = shutil.which("dot")  # what dot_available() asks
        if special or dot is None:
            return _explained(super().pipe, format, renderer, formatter, neato_no_op, quiet,
                              engine=engine, encoding=encoding)
        format = format or self.format
        if format not in graphviz.FORMATS:
            raise ValueError(f"unknown output format {format!r}; try 'svg', 'png' or 'pdf'")
        cmd = [dot, f"-T{format}"]
        try:
            proc = subprocess.run(cmd, input=self.source.encode(self.encoding),
                                  capture_output=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(
                f"Graphviz's dot did not finish laying out this graph within {self.timeout:g} s "
                "and was stopped; draw a smaller part of it (a sub-expression), or set "
                ".timeout = None on the drawing to wait as long as it takes") from None
        if proc.returncode:
            raise graphviz.CalledProcessError(proc.returncode, cmd, proc.stdout, proc.stderr)
        if proc.stderr and not quiet:
            sys.stderr.write(proc.stderr.decode(errors="replace"))
        out = compact_svg(proc.stdout) if format == "svg" else proc.stdout
        return out.decode(encoding) if encoding else out

    def render(self, *args, **kwargs):
        """Render to a file with ``dot``, like ``graphviz.Digraph.render``."""
        return _explained(super().render, *args, **kwargs)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except (graphviz.ExecutableNotFound, TimeoutError) as e:
            return {"text/plain": f"{e}\n\n{self.source}"}


_FONT_ATTR = re.compile(rb' font-family="([^"]*)"')
_COMMENT = re.compile(rb"<!-- .*? -->\n")


def compact_svg(svg: bytes) -> bytes:
    """``dot``'s SVG without the comment before every element and with the font named once.

    Every ``<text>`` repeats the font; SVG inherits it from the root group, so
    the most common font is set there instead (about a sixth of a big graph).
    """
    fonts = _FONT_ATTR.findall(svg)
    if not fonts:
        return _COMMENT.sub(b"", svg)
    common = max(set(fonts), key=fonts.count)
    svg = svg.replace(b' font-family="' + common + b'"', b"")
    svg = svg.replace(b'<g id="graph0" class="graph"',
                      b'<g id="graph0" class="graph" font-family="' + common + b'"', 1)
    return _COMMENT.sub(b"", svg)


def _explained(call, *args, **kwargs):
    """``call(*args, **kwargs)``, a missing ``dot`` reported as :class:`GraphvizNotFound`."""
    try:
        return call(*args, **kwargs)
    except GraphvizNotFound:
        raise
    except graphviz.ExecutableNotFound as e:
        raise GraphvizNotFound(str(e)) from None


def dot_available() -> bool:
    """True when Graphviz's ``dot`` program is on PATH, so drawings can be rendered."""
    return shutil.which("dot") is not None


# --- escaping ------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_HTML_RE = re.compile("[&<>\"']")


def _visible(text: str, limit: int) -> str:
    """Control characters (and lone surrogates) as ``\\xNN``; long text cut with an ellipsis."""
    text = text.replace("\r\n", "\n").replace("\t", " ")
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                        else f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def html_text(text: str, limit: int = 60) -> str:
    r"""``text`` made safe inside a Graphviz HTML-like label (newlines become breaks).

    >>> print(html_text('{a|b}<c> & "d" \\N'))
    {a|b}&lt;c&gt; &amp; &quot;d&quot; \\N
    """
    text = _HTML_RE.sub(lambda m: _HTML[m.group()], _visible(str(text), limit))
    # dot expands escapes such as \N (the node name) even inside HTML labels.
    return text.replace("\\", "\\\\").replace("\n", '<br align="left"/>')


def plain_text(text: str, limit: int = 200) -> str:
    r"""``text`` made safe as a quoted DOT string (tooltips): backslashes stay literal.

    >>> print(plain_text('a\\N "b"'))
    a\\N "b"
    """
    return graphviz.escape(_visible(str(text), limit)).replace("\n", "\\n")


def format_number(x: float, precision: Optional[int] = None) -> str:
    """``x`` to ``precision`` significant digits (``None``: as the step text does).

    >>> format_number(2 / 3), format_number(2 / 3, 2), format_number(-0.0)
    ('0.666667', '0.67', '0')
    """
    if precision is None:
        return fmt(x)
    text = format(x, f".{precision}g")
    return "0" if text == "-0" else text
