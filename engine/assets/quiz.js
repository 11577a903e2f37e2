/* chainrule player add-on: quiz mode. The learner types every grad, root first; each stays
   "?" until answered. Right answers, the worked sum and the mistake that fits a wrong number
   all come from Python (engine/quiz.py): this file compares numbers and shows text. */
(function () {
  "use strict";
  function whenReady(fn) {
    if (window.chainrule) { fn(window.chainrule); return; }
    var tries = 0, t = setInterval(function () {  // the player starts once its data is unpacked
      if (window.chainrule) { clearInterval(t); fn(window.chainrule); } else if (++tries > 600) clearInterval(t);
    }, 25);
  }
  whenReady(function (P) {
    var Q = P.data.quiz;
    var $ = function (id) { return document.getElementById(id); };
    if (!Q || !Q.questions.length) return;  // too big a graph for a quiz: the button stays hidden
    var questions = Q.questions, asked = {}, current = -1, verdicts = [], marked = [];
    $("quiz-start").hidden = false;

    function close(a, b) { return Math.abs(a - b) <= Math.max(Q.relTol * Math.max(Math.abs(a), Math.abs(b)), Q.absTol); }
    // "-0.5", "3/4", "-1/3", "1e-3": a number or a fraction; anything else is refused.
    function parse(text) {
      text = text.trim().replace(/\u2212/g, "-");
      var m = /^([-+]?[\d.]+(?:e[-+]?\d+)?)\s*\/\s*([-+]?[\d.]+(?:e[-+]?\d+)?)$/i.exec(text);
      var x = m ? Number(m[1]) / Number(m[2]) : /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : NaN;
      return isFinite(x) ? x : NaN;
    }
    function fmt(x) { var t = Number(x.toPrecision(6)).toString(); return t === "-0" ? "0" : t; }
    function seen(key) { return verdicts.filter(function (v) { return v.mistake === key; }).length; }

    function judge(q, claimed) {
      if (claimed === null) return { q: q, claimed: null, ok: false, mistake: null, also: [] };
      var ok = close(claimed, q.expected);
      var fits = ok ? [] : Object.keys(q.variants).filter(function (k) { return close(claimed, q.variants[k]); });
      fits.sort(function (a, b) { return seen(b) - seen(a); });  // a mistake made before is likelier
      return { q: q, claimed: claimed, ok: ok, mistake: fits[0] || null, also: fits.slice(1) };
    }

    function unmark() { marked.forEach(function (m) { m[0].classList.remove(m[1]); }); marked = []; }
    function markNode(k) {
      var el = P.elements(k);
      [[el.svg, "cr-asked"], [el.op, "cr-asked"], [el.row, "asked"]].forEach(function (m) {
        if (m[0]) { m[0].classList.add(m[1]); marked.push(m); }
      });
      P.follow(k);
    }

    function ask(i) {
      current = i; unmark();
      if (i >= questions.length) { finish(); return; }
      var q = questions[i];
      $("quiz-phase").textContent = "quiz · gradient " + (i + 1) + " of " + questions.length;
      $("quiz-question").textContent = "∂" + P.data.rootName + "/∂" + q.name + " = ?";
      $("quiz-answer").value = ""; $("quiz-answer").disabled = false;
      $("quiz-check").disabled = $("quiz-show").disabled = false;
      markNode(q.node);
      $("quiz-answer").focus();
    }

    function line(parent, cls, text) {
      var d = document.createElement("div"); d.className = cls; d.textContent = text; parent.appendChild(d); return d;
    }
    function report(v) {
      var box = $("quiz-feedback"), q = v.q;
      box.textContent = "";
      if (v.claimed === null) {
        line(box, "verdict shown", "shown: " + q.name + ".grad = " + fmt(q.expected) + "\n" + q.how);
      } else if (v.ok) {
        line(box, "verdict ok", "✓ " + q.name + ".grad = " + fmt(q.expected));
      } else {
        line(box, "verdict wrong", "✗ " + q.name + ".grad is " + fmt(q.expected) + ", not " + fmt(v.claimed) + "\n" + q.how);
        if (v.mistake) {
          var m = Q.mistakes[v.mistake];
          line(box, "verdict mistake", "Looks like " + v.mistake + ": " + m[0] + ". Hint: " + m[1] + "." +
               (v.also.length ? " (The same number comes from " + v.also.join(", ") + " too.)" : ""));
        } else {
          line(box, "verdict mistake", "No catalogued mistake gives that number: recheck the arithmetic.");
        }
      }
      var li = document.createElement("li");
      li.textContent = q.name + ": " + (v.claimed === null ? "shown" : v.ok ? "✓" : "✗ " + fmt(v.claimed) +
                                         (v.mistake ? " (" + v.mistake + ")" : ""));
      li.className = v.claimed === null ? "shown" : v.ok ? "ok" : "wrong";
      $("quiz-log").appendChild(li);
    }

    function answer(claimed) {
      if (current < 0 || current >= questions.length) return;
      var q = questions[current], v = judge(q, claimed);
      verdicts.push(v); asked[q.node] = true;
      report(v);
      P.maskGrads(hidden);
      ask(current + 1);
    }
    function hidden(k) { return !asked[k]; }

    function finish() {
      var right = verdicts.filter(function (v) { return v.ok; }).length;
      var shown = verdicts.filter(function (v) { return v.claimed === null; }).length;
      var wrong = verdicts.length - right - shown;
      $("quiz-phase").textContent = "quiz · done";
      $("quiz-question").textContent = right + " of " + questions.length + " gradients right, " +
        wrong + " wrong, " + shown + " shown";
      $("quiz-answer").disabled = $("quiz-check").disabled = $("quiz-show").disabled = true;
      var counts = {};
      verdicts.forEach(function (v) { if (v.mistake) (counts[v.mistake] = counts[v.mistake] || []).push(v.q.name); });
      var box = line($("quiz-feedback"), "verdict summary", "");
      var keys = Object.keys(counts);
      box.textContent = keys.length ? "Mistakes seen: " + keys.map(function (k) {
        return k + " (" + counts[k].join(", ") + ") — " + Q.mistakes[k][1];
      }).join("; ") : right === questions.length ? "Every gradient right: the whole backward pass, by hand." : "";
      document.body.dataset.quiz = "done";
    }

    function start() {
      Object.keys(asked).forEach(function (k) { delete asked[k]; });
      verdicts.length = 0; current = -1;
      $("quiz-log").textContent = ""; $("quiz-feedback").textContent = "";
      if (P.views.indexOf("scalar") >= 0) P.setView("scalar");
      P.goTo(P.total);  // every number computed; the mask hides the grads not yet answered
      P.maskGrads(hidden);
      document.body.classList.add("quizzing");
      document.body.dataset.quiz = "on";
      $("quiz").hidden = false;
      ask(0);
    }
    function leave() {
      unmark(); P.maskGrads(null);
      document.body.classList.remove("quizzing");
      delete document.body.dataset.quiz;
      $("quiz").hidden = true;
    }

    $("quiz-start").onclick = start;
    $("quiz-exit").onclick = leave;
    $("quiz-show").onclick = function () { answer(null); };
    $("quiz-form").onsubmit = function (e) {
      e.preventDefault();
      var text = $("quiz-answer").value, x = parse(text);
      if (isNaN(x)) {
        $("quiz-feedback").textContent = "";
        line($("quiz-feedback"), "verdict wrong", (text.trim() ? "“" + text.trim() + "” is not a number" : "Type a number") +
             ": a decimal such as -0.5, or a fraction such as 3/4 (or press “show me”).");
        return;
      }
      answer(x);
    };
    window.chainrule.quiz = { start: start, leave: leave, verdicts: verdicts, questions: questions,
                              get current() { return current; } };
    if (Q.start) start();
  });
})();
