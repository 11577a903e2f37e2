"""`engine` and `nn` are generic names: make sure they resolve to this repository."""

from pathlib import Path

import engine
import nn

ROOT = Path(__file__).resolve().parent.parent


def test_engine_comes_from_this_repository():
    assert Path(engine.__file__).resolve().parent == ROOT / "engine"


def test_nn_comes_from_this_repository():
    assert Path(nn.__file__).resolve().parent == ROOT / "nn"


def test_engine_never_imports_nn():
    offenders = [p.name for p in (ROOT / "engine").rglob("*.py")
                 if "import nn" in p.read_text() or "from nn" in p.read_text()]
    assert offenders == []
