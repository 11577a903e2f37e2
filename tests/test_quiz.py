"""Quiz mode: every gradient typed before it is shown; wrong ones diagnosed from the catalogue.

The hand-worked cases of tests/test_grade.py give, for every catalogued mistake,
the numbers it produces; here the quiz is fed the right numbers up to that
mistake's first wrong node and the mistaken number there.
"""

from __future__ import annotations

import io
import random
import sys

import pytest

from engine import MISTAKES, Value, grade
from engine.cli import main
from engine.expr import parse_expression
from engine.quiz import MAX_QUESTIONS, Quiz
from test_grade import CASES

ONE_PASS = sorted(k for k, m in MISTAKES.items() if m.passes == 1)


def answer_until(quiz, numbers: dict, stop: str):
    """Answer from ``numbers`` (by name) in quiz order up to and including ``stop``."""
    for q in quiz.questions:
        verdict = quiz.answer(q, numbers[q.name])
        if q.name == stop:
            return verdict
    raise AssertionError(f"{stop} was never asked")


@pytest.mark.parametrize("key", ONE_PASS)
def test_each_mistake_is_named_at_its_first_wrong_node(key):
    root, right, wrong, first = CASES[key]()
    quiz = Quiz(root)
    names = [q.name for q in quiz.questions]
    assert first in names
    before = names[:names.index(first)]
    verdict = answer_until(quiz, {**{n: right[n] for n in before}, first: wrong[first]}, first)
    assert not verdict.ok
    assert key in (verdict.mistake,) + verdict.also, str(verdict)
    assert all(v.ok for v in quiz.verdicts[:-1])
    text = str(verdict)
    assert MISTAKES[verdict.mistake].hint in text and f"{right[first]:.6g}"[:4] in text


@pytest.mark.parametrize("key", ONE_PASS)
def test_the_quiz_agrees_with_grade_given_what_was_revealed(key):
    root, right, wrong, first = CASES[key]()
    quiz = Quiz(root)
    revealed = {}
    for q in quiz.questions:
        for mistake, number in q.variants.items():
            report = grade(root, {q.node: number}, given=revealed)
            assert mistake in report.candidates, (q.name, mistake, str(report))
        revealed[q.node] = q.expected


def test_every_right_answer_is_right_and_the_summary_says_so():
    root, right, _, _ = CASES["tanh_from_input"]()
    quiz = Quiz(root)
    for q in quiz.questions:
        assert quiz.answer(q, right[q.name]).ok
    summary = "\n".join(quiz.summary_lines())
    assert f"{len(right)} of {len(right)} gradient(s) right, 0 wrong, 0 shown" in summary
    assert "every gradient right" in summary


def test_random_wrong_answers_are_never_blamed_on_a_mistake():
    rng = random.Random(7)
    blamed = []
    for _ in range(60):
        a, b, c = (Value(rng.uniform(-2, 2), label=n) for n in "abc")
        y = ((a * b + c).tanh() * a - b / (c * c + 1)).exp()
        y.label = "y"
        quiz = Quiz(y)
        for q in quiz.questions:
            guess = q.expected + rng.choice([-1, 1]) * rng.uniform(0.37, 5.0) * (1 + abs(q.expected))
            if any(abs(guess - g) < 1e-2 * (1 + abs(g)) for g in q.variants.values()):
                continue  # a number a mistake does produce is not a random one
            verdict = quiz.answer(q, guess)
            assert not verdict.ok
            if verdict.mistake:
                blamed.append((q.name, guess, verdict.mistake))
    assert blamed == []


def test_shown_answers_and_the_summary_of_mistakes():
    x = Value(2.0, label="x")
    y = x.exp()
    y.label = "y"
    quiz = Quiz(y)
    assert quiz.answer(quiz.questions[0], None).claimed is None
    verdict = quiz.answer(quiz.questions[1], 2.0)
    assert verdict.mistake == "exp_from_input"
    summary = quiz.summary_lines()
    assert summary[0] == "quiz summary: 0 of 2 gradient(s) right, 1 wrong, 1 shown"
    assert summary[1].startswith("  exp_from_input (1×: x)")


def test_how_a_grad_is_made_spells_out_the_sum_over_uses():
    root = parse_expression("(a*b + a).tanh()", {"a": 0.5, "b": -1.0})
    how = {q.name: q.how for q in Quiz(root).questions}
    assert how["out"] == "out is the output: ∂out/∂out = 1"
    assert how["b"] == "b.grad = a × d.grad = 0.5 × 1 = 0.5"
    assert how["a"].startswith("a is used 2 times, so its grad is a sum: a.grad = b × d.grad + 1 × e.grad")
    assert how["a"].endswith("= -1 × 1 + 1 × 1 = 0")


def test_a_huge_graph_is_refused_with_a_reason():
    x = Value(1.0, label="x")
    y = x
    for _ in range(MAX_QUESTIONS):
        y = y * 1.0001
    with pytest.raises(ValueError, match="quiz a smaller expression"):
        Quiz(y)
    with pytest.raises(TypeError, match="root Value"):
        Quiz(3.0)


def run_cli(capsys, monkeypatch, argv, typed: str):
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


TANH = ["step", "--quiz", "(a*b + a).tanh()", "a=0.5", "b=-1"]


def test_the_cli_quiz_from_scripted_input(capsys, monkeypatch):
    code, out, err = run_cli(capsys, monkeypatch, TANH, "1\n0.75\n\n-1\n0\n")
    assert code == 0 and err == ""
    assert "out.grad = ? 1\n  ✓ out.grad = 1" in out
    assert "✗ e.grad is 1, not 0.75" in out and "No catalogued mistake gives that number" in out
    assert "shown: d.grad = 1" in out
    assert "✗ b.grad is 0.5, not -1" in out and "Looks like mul_own_input" in out
    assert "a.grad = ? 0\n  ✓ a.grad = 0" in out
    assert "quiz summary: 2 of 5 gradient(s) right, 2 wrong, 1 shown" in out
    assert "mul_own_input (1×: b)" in out and "arithmetic to recheck: e" in out
    # the hidden gradients are never printed before they are asked for
    assert out.index("e.grad is 1") > out.index("e.grad = ? ")
    assert "gradients:" not in out


def test_the_cli_quiz_reasks_for_a_number_and_takes_arithmetic(capsys, monkeypatch):
    code, out, _ = run_cli(capsys, monkeypatch, ["step", "--quiz", "x.tanh()", "x=0.5"],
                           "1\nfoo\n1/0\n1 - 0.46211715726**2\n")
    assert code == 0
    assert out.count("x.grad = ? ") == 3
    assert "'foo' is not a number" in out and "'1/0' is not a number" in out
    assert "✓ x.grad = 0.786448" in out
    assert "1 of 2" not in out and "2 of 2 gradient(s) right" in out


def test_the_cli_quiz_stops_on_q_or_at_the_end_of_input(capsys, monkeypatch):
    code, out, _ = run_cli(capsys, monkeypatch, TANH, "1\nq\n")
    assert code == 0 and "(stopped)" in out
    assert "1 of 5 gradient(s) right, 0 wrong, 0 shown, 4 not reached" in out
    code, out, _ = run_cli(capsys, monkeypatch, TANH, "1\n1\n")
    assert "(end of input)" in out and "3 not reached" in out


def test_the_cli_quiz_refuses_all_and_still_writes_files(capsys, monkeypatch, tmp_path):
    code, _, err = run_cli(capsys, monkeypatch, TANH + ["--all"], "")
    assert code == 2 and "--quiz asks for every gradient in turn; leave out --all" in err
    target = tmp_path / "quiz.html"
    code, out, _ = run_cli(capsys, monkeypatch, TANH + ["--html", str(target)], "q\n")
    assert code == 0 and target.stat().st_size > 1000 and f"wrote {target}" in out


# ---- the HTML player's quiz, in Chromium -----------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    from browsers import chromium_with_dot
    yield from chromium_with_dot()


def quiz_page(browser, path):
    from test_player_views import open_page
    page, problems, requests = open_page(browser, path)
    page.wait_for_function("() => window.chainrule.quiz !== undefined")
    return page, problems, requests


def shown_grads(page):
    """The grad column of the node table, by node name."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#node-rows .nrow')]
        .map(r => [r.querySelector('.name').textContent, r.querySelector('.grad').textContent]))""")


def test_the_player_quiz_hides_grads_diagnoses_and_sums_up(browser, tmp_path):
    from engine import save_player
    root = parse_expression("(a*b + a).tanh()", {"a": 0.5, "b": -1.0})
    path = save_player(root, tmp_path / "quiz.html", quiz=True)
    page, problems, requests = quiz_page(browser, path)
    assert page.evaluate("document.body.dataset.quiz") == "on"
    assert set(shown_grads(page).values()) == {"?"}, "every grad starts hidden"
    assert page.is_hidden("#explain") and page.is_visible("#quiz")
    assert page.text_content("#quiz-question") == "∂out/∂out = ?"

    def answer(text):
        page.fill("#quiz-answer", text)
        page.press("#quiz-answer", "Enter")
        return page.text_content("#quiz-feedback")

    assert answer("1").startswith("✓ out.grad = 1")
    assert shown_grads(page)["out"] == "1" and shown_grads(page)["e"] == "?"
    assert "is not a number" in answer("one")
    assert page.text_content("#quiz-question") == "∂out/∂e = ?", "a non-number is asked again"
    feedback = answer("0.75")
    assert "✗ e.grad is 1, not 0.75" in feedback and "No catalogued mistake" in feedback
    page.click("#quiz-show")
    assert page.text_content("#quiz-feedback").startswith("shown: d.grad = 1")
    feedback = answer("-1")
    assert "Looks like mul_own_input" in feedback and MISTAKES["mul_own_input"].hint in feedback
    assert shown_grads(page)["b"] == "0.5" and shown_grads(page)["a"] == "?"
    answer("0")
    assert page.evaluate("document.body.dataset.quiz") == "done"
    summary = page.text_content("#quiz-question")
    assert summary == "2 of 5 gradients right, 2 wrong, 1 shown"
    assert "mul_own_input (b)" in page.text_content("#quiz-feedback")
    assert shown_grads(page) == {"a": "0", "b": "0.5", "d": "1", "e": "1", "out": "1"}
    log = page.eval_on_selector_all("#quiz-log li", "els => els.map(e => e.textContent)")
    assert log == ["out: ✓", "e: ✗ 0.75", "d: shown", "b: ✗ -1 (mul_own_input)", "a: ✓"]
    page.click("#quiz-exit")
    assert page.is_visible("#explain") and not page.evaluate("'quiz' in document.body.dataset")
    assert problems == [] and requests == []


def test_a_small_graphs_player_offers_the_quiz_and_the_arrow_keys_wait(browser, tmp_path):
    from engine import save_player
    root = parse_expression("x.exp()", {"x": 2.0})
    page, problems, _ = quiz_page(browser, save_player(root, tmp_path / "offer.html"))
    assert page.is_visible("#quiz-start") and page.is_hidden("#quiz")
    assert shown_grads(page)["x"] == "0"
    page.click("#quiz-start")
    assert shown_grads(page)["x"] == "?"
    at = page.evaluate("chainrule.position")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("chainrule.position") == at, "stepping would give the answers away"
    page.fill("#quiz-answer", "2")
    page.press("#quiz-answer", "Enter")  # out first: 2 is wrong there, and fits no mistake
    page.fill("#quiz-answer", "2")
    page.press("#quiz-answer", "Enter")
    assert "Looks like exp_from_input" in page.text_content("#quiz-feedback")
    assert problems == []


def test_a_big_graph_has_no_quiz_and_cannot_start_in_one(tmp_path):
    from engine import save_player
    from engine.player import player_data
    x = Value(1.0, label="x")
    y = x
    for _ in range(MAX_QUESTIONS):
        y = y * 1.0001
    assert player_data(y)["quiz"] is None
    with pytest.raises(ValueError, match="at most 200 gradients"):
        save_player(y, tmp_path / "big.html", quiz=True)
    with pytest.raises(TypeError, match="quiz must be True or False"):
        save_player(x * 2, tmp_path / "bad.html", quiz="yes")
    assert not (tmp_path / "bad.html").exists()


def test_a_graph_with_an_infinite_gradient_is_not_quizzed(capsys, monkeypatch, tmp_path):
    from engine.player import player_data
    x = Value(0.0, label="x")
    y = x ** 0.5
    with pytest.raises(ValueError, match="x: the gradient is nan or infinite"):
        Quiz(y)
    assert player_data(y)["quiz"] is None
    code, _, err = run_cli(capsys, monkeypatch, ["step", "--quiz", "x ** 0.5", "x=0"], "")
    assert code == 2 and "nan or infinite" in err


def test_the_readmes_scripted_quiz_runs_as_written():
    import re
    import shutil
    import subprocess
    from pathlib import Path
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^printf .*chainrule step --quiz.*$", readme, re.M).group(0)
    if not Path(".venv/bin/chainrule").exists() or shutil.which("bash") is None:
        pytest.skip("needs the project's .venv (make setup) and bash")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "✗ x.grad is 0.786448, not 0.75" in done.stdout
    assert "Looks like tanh_from_input" in done.stdout
    assert "quiz summary: 1 of 2 gradient(s) right, 1 wrong, 0 shown" in done.stdout
