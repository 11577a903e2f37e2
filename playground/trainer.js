// Trainer: an nn.MLP stepped by playground_api.Trainer; this file draws its views.
"use strict";
window.Trainer = (() => {
  const CR = window.chainrule, $ = (id) => document.getElementById(id);
  const KNOBS = ["dataset", "points", "noise", "test", "layers", "neurons", "activation", "init", "loss", "optimizer", "lr", "batch"];
  let trainer = null, playing = false, view = null;

  function settings() {
    const s = {};
    for (const k of KNOBS) s[k] = $("t-" + k).value;
    return s;
  }

  function reset() {
    playing = false;
    const s = settings();
    for (const k of KNOBS) CR.set("t_" + k, s[k]);
    if (trainer) trainer.destroy();
    trainer = CR.api.Trainer(JSON.stringify(s));
    const problems = trainer.problems.toJs();
    $("t-error").hidden = problems.length === 0;
    $("t-error").textContent = problems.join("\n");
    if (problems.length) { trainer = null; return; }
    draw();
  }

  function step(n) {
    if (!trainer) return;
    const r = JSON.parse(trainer.step(n));
    $("t-info").textContent = `step ${r.steps} · loss ${r.loss.toFixed(4)} · train acc ${(100 * r.acc).toFixed(1)}%` +
      (r.test_acc === null ? "" : ` · test acc ${(100 * r.test_acc).toFixed(1)}%`);
    CR.lastStep = r;
    return r;
  }

  function colour(v, t) { // blue above the threshold, orange below
    const a = Math.min(1, Math.abs(v - t));
    return v > t ? `rgba(59,130,246,${a})` : `rgba(249,115,22,${a})`;
  }

  function heat(canvas, map, grid, t) {
    const c = canvas.getContext("2d"), cell = canvas.width / grid;
    for (let i = 0; i < map.length; i++) {
      c.fillStyle = colour(map[i], t);
      c.fillRect((i % grid) * cell, Math.floor(i / grid) * cell, cell + 1, cell + 1);
    }
  }

  function draw() {
    view = JSON.parse(trainer.view(24));
    const cv = $("boundary"), c = cv.getContext("2d");
    c.clearRect(0, 0, cv.width, cv.height);
    const out = view.maps[view.maps.length - 1][0];
    heat(cv, out, view.grid, view.threshold);
    const [lo, hi] = view.range, px = (x) => ((x - lo) / (hi - lo)) * cv.width, py = (y) => ((hi - y) / (hi - lo)) * cv.height;
    const dots = (X, y, stroke) => X.forEach((p, i) => {
      c.beginPath(); c.arc(px(p[0]), py(p[1]), 3.5, 0, 7);
      c.fillStyle = y[i] ? "#1d4ed8" : "#c2410c"; c.fill(); c.strokeStyle = stroke; c.stroke();
    });
    dots(view.X, view.y, "#fff"); dots(view.X_test, view.y_test, "#000");
    network(); curves();
  }

  function network() {
    const layers = view.weights, width = [2, ...layers.map((l) => l.length)];
    const W = 120 * width.length, H = 46 * Math.max(...width) + 20, at = (L, j) => [60 + 120 * L, 20 + 46 * j + (H - 46 * width[L]) / 2];
    let svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}">`;
    let g = 0; const gmax = Math.max(1e-12, ...view.grads.map(Math.abs));
    layers.forEach((layer, L) => layer.forEach((wts, j) => {
      const [x2, y2] = at(L + 1, j);
      wts.slice(0, -1).forEach((w, i) => {
        const [x1, y1] = at(L, i), grad = view.grads[g++] || 0;
        svg += `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="rgba(220,38,38,${Math.abs(grad) / gmax * 0.6})" stroke-width="${2 + 6 * Math.abs(grad) / gmax}"/>`;
        svg += `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${w > 0 ? "#2563eb" : "#ea580c"}" stroke-width="${Math.min(5, 0.3 + Math.abs(w))}"><title>w = ${w.toFixed(4)}, grad = ${grad.toExponential(2)}</title></line>`;
      });
      g++; // the bias's grad
    }));
    for (let i = 0; i < 2; i++) { const [x, y] = at(0, i); svg += `<text x="${x - 30}" y="${y + 4}">x${i}</text>`; }
    layers.forEach((layer, L) => layer.forEach((_, j) => {
      const [x, y] = at(L + 1, j);
      svg += `<foreignObject x="${x - 18}" y="${y - 18}" width="36" height="36"><canvas xmlns="http://www.w3.org/1999/xhtml" class="neuron" data-l="${L}" data-j="${j}" width="36" height="36" style="border:1px solid #334155"></canvas></foreignObject>`;
    }));
    $("network").innerHTML = svg + "</svg>";
    for (const cv of $("network").querySelectorAll("canvas.neuron")) {
      const L = +cv.dataset.l, j = +cv.dataset.j;
      heat(cv, view.maps[L][j], view.grid, L === layers.length - 1 ? view.threshold : 0);
      cv.onclick = () => showNeuron(L, j);
    }
  }

  function showNeuron(L, j) {
    const r = JSON.parse(trainer.neuron(L, j, 0));
    $("neuron-view").hidden = false;
    $("neuron-title").textContent = `layer ${L} neuron ${j} on example 0 (input ${r.input.map((x) => x.toFixed(3)).join(", ")})`;
    $("neuron-graph").replaceChildren(CR.viz.renderSVGElement(r.dot));
    $("neuron-steps").textContent = r.steps.join("\n\n");
  }

  function curves() {
    const cv = $("curves"), c = cv.getContext("2d");
    c.clearRect(0, 0, cv.width, cv.height);
    const line = (ys, max, colour) => {
      if (ys.length < 2) return;
      c.beginPath(); c.strokeStyle = colour;
      ys.forEach((y, i) => c.lineTo((i / (ys.length - 1)) * cv.width, cv.height - (y / max) * (cv.height - 10)));
      c.stroke();
    };
    line(view.loss, Math.max(1e-9, ...view.loss), "#dc2626");
    line(view.acc, 1, "#2563eb");
    if (view.test_acc.length) line(view.test_acc, 1, "#16a34a");
    c.fillStyle = "#334155"; c.fillText("loss (red) · train acc (blue) · test acc (green)", 6, 12);
  }

  function loop() {
    if (!playing) return;
    step(5); draw();
    setTimeout(loop, 0);
  }

  async function init() {
    const fill = (id, names) => $(id).replaceChildren(...names.map((n) => new Option(n, n)));
    fill("t-activation", CR.py.runPython("sorted(nn.ACTIVATIONS)").toJs());
    fill("t-init", ["default", ...CR.py.runPython("sorted(nn.INITIALIZERS)").toJs()]);
    fill("t-optimizer", CR.py.runPython("sorted(nn.OPTIMIZERS)").toJs());
    $("t-activation").value = "tanh"; $("t-optimizer").value = "adam";
    for (const k of KNOBS) {
      const el = $("t-" + k);
      el.dataset.knob = k;
      if (CR.state["t_" + k] !== undefined) el.value = CR.state["t_" + k];
      el.onchange = reset;
    }
    $("t-play").onclick = () => { if (!playing) { playing = true; loop(); } };
    $("t-pause").onclick = () => { playing = false; };
    $("t-step").onclick = () => { step(1); draw(); };
    $("t-reset").onclick = reset;
    $("boundary").onclick = (e) => {
      if (!trainer) return;
      const cv = $("boundary"), r = cv.getBoundingClientRect(), [lo, hi] = view.range;
      const x = lo + ((e.clientX - r.left) / r.width) * (hi - lo), y = hi - ((e.clientY - r.top) / r.height) * (hi - lo);
      trainer.add_point(x, y, e.shiftKey ? 0 : 1);
      draw();
    };
    reset();
  }
  return { init, reset, step, get trainer() { return trainer; } };
})();
