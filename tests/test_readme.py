"""Every `>>>` example in the README runs as written and prints what it shows."""

import doctest
import re
import shutil
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
EXAMPLES = [block for block in BLOCKS if ">>>" in block]


def test_the_readme_has_repl_examples():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_readme_example_runs_as_shown(index):
    block = EXAMPLES[index]
    if "pipe(" in block and shutil.which("dot") is None:
        pytest.skip("this example renders with Graphviz's dot, which is not installed")
    parser = doctest.DocTestParser()
    globs = {}
    # The blocks build on each other, as they would in one REPL session.
    for earlier in EXAMPLES[:index]:
        exec_examples(parser, earlier, globs)
    test = parser.get_doctest(block, globs, f"README block {index}", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, clear_globs=False)
    assert runner.failures == 0, f"README block {index} does not print what it shows (see output above)"


def exec_examples(parser, block, globs):
    test = parser.get_doctest(block, globs, "setup", str(README), 0)
    doctest.DocTestRunner().run(test, out=lambda _: None, clear_globs=False)
    globs.update(test.globs)
