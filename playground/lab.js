// Expression lab: the page sends text + leaf values to playground_api.lab and draws what comes back.
"use strict";
window.Lab = (() => {
  const CR = window.chainrule, $ = (id) => document.getElementById(id);
  let result = null, stepIndex = 0, values = {};

  function leafControls(names) {
    const box = $("leaves");
    box.replaceChildren();
    for (const name of names) {
      const v = values[name] ?? 1;
      const wrap = document.createElement("div");
      wrap.className = "leaf";
      wrap.innerHTML = `<span>${name}</span><input type="range" min="-5" max="5" step="0.01" value="${v}"><input type="number" step="0.1" value="${v}">`;
      const [range, num] = wrap.querySelectorAll("input");
      const change = (x) => { values[name] = Number(x); range.value = x; num.value = x; CR.set("v_" + name, x); update(); };
      range.oninput = () => change(range.value);
      num.onchange = () => change(num.value);
      box.append(wrap);
    }
    $("nudge-leaf").replaceChildren(...names.map((n) => new Option(n, n)));
  }

  function update() {
    const text = $("expr").value;
    CR.set("expr", text);
    result = JSON.parse(CR.api.lab(text, JSON.stringify(values)));
    const err = $("expr-error");
    err.hidden = !result.error;
    if (result.error) { err.textContent = result.error; return; }
    if (result.names.join() !== [...$("leaves").querySelectorAll(".leaf span")].map((s) => s.textContent).join()) {
      for (const n of result.names) values[n] = values[n] ?? 1;
      leafControls(result.names);
    }
    $("grads").textContent = Object.entries(result.fmt).map(([k, g]) => `${k}.grad = ${g}`).join("\n");
    show(Math.min(stepIndex, result.steps.length));
  }

  function show(i) {
    stepIndex = i;
    CR.set("step", i);
    const total = result.steps.length;
    $("step-count").textContent = `step ${i} of ${total}`;
    $("step-text").textContent = i === 0 ? "forward pass:\n" + result.forward.join("\n") : result.steps[i - 1].text;
    const svg = CR.viz.renderSVGElement(i === 0 ? result.dot : result.steps[i - 1].dot);
    $("graph").replaceChildren(svg);
    for (const g of svg.querySelectorAll("g.node, g.edge")) {
      g.onmouseenter = () => {
        const n = result.nodes[g.id], e = result.edges[g.id];
        $("hover").textContent = n ? `${n.name}: data ${n.data}, grad ${n.grad}`
          : e ? `${e.from} → ${e.to}: local ∂${e.to}/∂${e.from} = ${e.formula} = ${e.local}; contribution = local × upstream = ${e.local} × ${e.upstream} = ${e.contribution}`
          : g.querySelector("title")?.textContent || "";
      };
    }
  }

  async function init() {
    const s = CR.state;
    if (s.expr) $("expr").value = s.expr;
    for (const [k, v] of Object.entries(s)) if (k.startsWith("v_")) values[k.slice(2)] = Number(v);
    if (!s.expr) Object.assign(values, { a: 2, b: -3, c: 10 });
    stepIndex = Number(s.step || 0);
    $("run-expr").onclick = () => { stepIndex = 0; update(); };
    $("expr").onkeydown = (e) => { if (e.key === "Enter") { stepIndex = 0; update(); } };
    $("step-first").onclick = () => result && !result.error && show(0);
    $("step-back").onclick = () => result && !result.error && show(Math.max(0, stepIndex - 1));
    $("step-next").onclick = () => result && !result.error && show(Math.min(result.steps.length, stepIndex + 1));
    $("step-all").onclick = () => result && !result.error && show(result.steps.length);
    $("nudge").onclick = () => {
      const r = JSON.parse(CR.api.nudge($("expr").value, JSON.stringify(values), $("nudge-leaf").value, Number($("nudge-h").value)));
      $("nudge-out").textContent = `predicted grad × h = ${r.predicted}\nactual change    = ${r.actual}`;
    };
    update();
  }
  return { init, update, get result() { return result; } };
})();
