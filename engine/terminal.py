"""Writing to any terminal: text the stream's encoding cannot show is spelled in ASCII.

The ``chainrule`` command prints formulas with ``∂``, ``σ``, ``²`` and whatever
names were typed; on a terminal whose encoding lacks them (``LANG=C``, an old
Windows console) each such character is written as its spelling instead of
raising ``UnicodeEncodeError``: ``∂`` as ``d``, ``σ`` as ``sigma``, ``é`` as ``e``.

>>> showable("∂out/∂a = σ(x)²", "ascii")
'dout/da = sigma(x)^2'
"""

from __future__ import annotations

import codecs
import unicodedata
from typing import Protocol, TextIO


ASCII_SPELLINGS = {
    "∂": "d", "σ": "sigma", "Σ": "sum", "Φ": "Phi", "φ": "phi", "π": "pi", "√": "sqrt",
    "→": "->", "←": "<-", "×": "x", "·": "*", "−": "-", "–": "-", "—": "--", "…": "...",
    "≈": "~", "≤": "<=", "≥": ">=", "≠": "!=", "∞": "inf", "⁻": "^-",
    "⁰": "^0", "¹": "^1", "²": "^2", "³": "^3", "⁴": "^4", "\ufffd": "?",
}
"""How a character the terminal cannot show is written instead (others: NFKD, then ``\\uXXXX``)."""


def _ascii_spelling(char: str) -> str:
    if char in ASCII_SPELLINGS:
        return ASCII_SPELLINGS[char]
    folded = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
    return folded or f"\\u{ord(char):04x}"  # ａ -> a, é -> e, 𝑥 -> x; 日 -> \u65e5


def _spell(error: UnicodeError) -> tuple:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    return "".join(_ascii_spelling(c) for c in text), error.end


codecs.register_error("chainrule.ascii", _spell)


def stream_encoding(stream: object) -> str:
    """The encoding ``stream`` writes in (``utf-8`` when it does not say)."""
    return getattr(stream, "encoding", None) or "utf-8"


def showable(text: str, encoding: str) -> str:
    """``text`` with each character ``encoding`` lacks replaced by its ASCII spelling."""
    return text.encode(encoding, "chainrule.ascii").decode(encoding, "replace")


class TextStream(Protocol):
    """What printing needs of an output: ``write`` text and ``flush`` (a file, a TerminalWriter)."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


class TerminalWriter:
    """A text stream that writes only what its encoding can show, in ASCII spellings otherwise.

    >>> import io
    >>> out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    >>> _ = TerminalWriter(out).write("∂out/∂a = σ(x)²")
    >>> out.flush(); out.buffer.getvalue()
    b'dout/da = sigma(x)^2'
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.encoding = stream_encoding(stream)

    def write(self, text: str) -> int:
        """Write ``text``, each character the encoding lacks replaced by its spelling."""
        return self.stream.write(showable(text, self.encoding))

    def flush(self) -> None:
        """Flush the underlying stream."""
        self.stream.flush()
