"""``python -m engine``: the same as the ``chainrule`` command (see :mod:`engine.cli`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
