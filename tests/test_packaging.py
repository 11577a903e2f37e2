"""``python -m build`` makes a wheel and an sdist that install into a fresh venv and run ``chainrule step``.

Built from a copy of the tracked files (so the checkout gets no build/ or egg-info),
with the test venv's setuptools (``--no-isolation``). Installing pulls the one
dependency (graphviz) from the same package index ``make setup`` uses; without
one the install test skips, saying so.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("build")
pytestmark = pytest.mark.slow


def run(*argv, cwd=None, timeout=300):
    return subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to list the tracked files")
    files = run("git", "ls-files", cwd=ROOT).stdout.split()
    source = tmp_path_factory.mktemp("source")
    for name in files:
        target = source / name
        if (ROOT / name).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
    out = tmp_path_factory.mktemp("dist")
    done = run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return out, done.stdout + done.stderr


def test_the_build_is_clean_and_ships_everything(dist):
    out, log = dist
    assert "Deprecat" not in log and "SetuptoolsWarning" not in log, log[-3000:]
    wheel = next(out.glob("chainrule-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ["engine/py.typed", "nn/py.typed", "engine/assets/player.js", "engine/assets/quiz.js",
                   "engine/assets/player.css", "engine/assets/player.html", "engine/quiz.py",
                   "demos/exercises/_check.py", "demos/exercises/ex1_finite_differences.py"]:
        assert needed in names, needed
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "License-Expression: MIT" in metadata and "Classifier: Intended Audience :: Education" in metadata
    assert any(out.glob("chainrule-*.tar.gz"))


@pytest.mark.parametrize("kind", ["whl", "tar.gz"])
def test_each_artifact_installs_into_a_fresh_venv_and_steps(dist, kind, tmp_path):
    out, _ = dist
    artifact = next(out.glob(f"chainrule-*.{kind}"))
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", venv).returncode == 0
    python = venv / "bin" / "python"
    installed = run(python, "-m", "pip", "install", "-qq", artifact, timeout=600)
    if installed.returncode != 0:
        text = installed.stdout + installed.stderr
        if "No matching distribution" in text or "Could not find a version" in text:
            pytest.skip(f"no package index for the dependencies: {text.strip().splitlines()[-1]}")
        raise AssertionError(text[-3000:])
    stepped = run(venv / "bin" / "chainrule", "step", "a*b", "a=2", "b=3", "--all", cwd=tmp_path)
    assert stepped.returncode == 0, stepped.stderr
    assert "a.grad = 3" in stepped.stdout and "b.grad = 2" in stepped.stdout
    where = run(python, "-c", "import engine, demos.exercises; print(engine.__file__)", cwd=tmp_path)
    assert str(venv) in where.stdout, "the installed copy, not the checkout"
