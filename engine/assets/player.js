/* chainrule backprop player: displays numbers computed by the Python engine.
   Every piece of data is inserted with textContent, never as HTML. */
(function () {
  "use strict";
  // A big graph's data comes gzipped (base64); the browser unpacks it, still without the network.
  var block = document.getElementById("player-data");
  if (block.dataset.encoding === "gzip+base64") {
    var binary = atob(block.textContent.trim()), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text()
      .then(function (text) { start(JSON.parse(text)); });
  } else {
    start(JSON.parse(block.textContent));
  }

  function start(D) {  // the whole player, once its data is in hand (not indented: one level)
  var N = D.nodes.length, F = D.forward.length, B = D.steps.length, ROOT = D.root;
  var SEED = F + 1, LAST = F + 1 + B;
  var $ = function (id) { return document.getElementById(id); };
  var XLINK = "http://www.w3.org/1999/xlink";

  /* ---- model: what is revealed and which grad each node shows ---------------------- */
  var revealed = [], grad = [], exact = [], touched = [], forwardPos = [];
  D.nodes.forEach(function (n, k) {
    revealed[k] = !n.inputs; grad[k] = "0"; exact[k] = "0.0"; touched[k] = 0;
  });
  var backwardPos = [];
  D.forward.forEach(function (k, i) { forwardPos[k] = i + 1; });
  D.steps.forEach(function (s, i) { backwardPos[s.node] = SEED + 1 + i; });
  // grad of each input before each row of each step, so stepping back can undo
  (function () {
    var cur = grad.slice(), ex = exact.slice();
    cur[ROOT] = "1"; ex[ROOT] = "1.0";
    D.steps.forEach(function (s) {
      s.rows.forEach(function (r) {
        r.before = cur[r.input]; r.exactBefore = ex[r.input];
        cur[r.input] = r.after; ex[r.input] = r.exactAfter;
      });
    });
  })();
  var pos = 0, dirty = {}, gradMask = null;

  function apply(p, forward) {
    if (p <= F) {
      var k = D.forward[p - 1];
      revealed[k] = forward; dirty[k] = 1;
    } else if (p === SEED) {
      grad[ROOT] = forward ? "1" : "0"; exact[ROOT] = forward ? "1.0" : "0.0";
      touched[ROOT] += forward ? 1 : -1; dirty[ROOT] = 1;
    } else {
      var rows = D.steps[p - SEED - 1].rows;
      if (forward) {
        rows.forEach(function (r) { setGrad(r.input, r.after, r.exactAfter, 1); });
      } else {
        for (var i = rows.length - 1; i >= 0; i--) {
          setGrad(rows[i].input, rows[i].before, rows[i].exactBefore, -1);
        }
      }
    }
  }
  function setGrad(k, text, ex, delta) { grad[k] = text; exact[k] = ex; touched[k] += delta; dirty[k] = 1; }

  function goto(target) {
    target = Math.max(0, Math.min(LAST, target));
    while (pos < target) { pos += 1; apply(pos, true); }
    while (pos > target) { apply(pos, false); pos -= 1; }
    render();
  }

  /* ---- the SVG: map DOT ids (the <title> of each group) to elements ------------------ */
  var svgNode = [], svgOp = [], edgesIn = [], edgeOut = [], fields = [];
  var svg = document.querySelector("#graph svg"), byTitle = {};
  if (svg) {
    svg.querySelectorAll("g.node").forEach(function (g) {
      var t = g.querySelector("title"); if (t) byTitle[t.textContent.trim()] = g;
    });
  }
  D.nodes.forEach(function (n, k) {  // without a picture every list stays empty
    svgNode[k] = byTitle["n" + k] || null; svgOp[k] = byTitle["n" + k + "op"] || null;
    edgesIn[k] = []; edgeOut[k] = [];
    fields[k] = svgNode[k] ? findFields(svgNode[k]) : {};
  });
  if (svg) {
    svg.querySelectorAll("g.edge").forEach(function (g) {
      var t = g.querySelector("title"); if (!t) return;
      var ends = t.textContent.split("->").map(function (s) { return s.trim().split(":")[0]; });
      var m = /^n(\d+)op$/.exec(ends[1] || ""), o = /^n(\d+)op$/.exec(ends[0] || "");
      if (m && edgesIn[+m[1]]) edgesIn[+m[1]].push(g);
      if (o && edgeOut[+o[1]]) edgeOut[+o[1]].push(g);
    });
  }
  // The number after the small "data" / "grad" caption inside a node's label.
  function findFields(g) {
    var texts = Array.prototype.slice.call(g.querySelectorAll("text")), out = {};
    texts.forEach(function (t, i) {
      var word = t.textContent.trim();
      var joined = /^(data|grad)(\s*[=:]?\s*)(\S.*)$/.exec(word);  // "grad 0.5" in one text
      if (joined && !out[joined[1]]) {
        out[joined[1]] = { el: t, pad: joined[1] + joined[2] };
      } else if ((word === "data" || word === "grad") && !out[word]) {
        for (var j = i + 1; j < texts.length; j++) {
          if (texts[j].textContent.trim() !== "") {
            out[word] = { el: texts[j], pad: /^\s/.test(texts[j].textContent) ? " " : "" };
            break;
          }
        }
      }
    });
    out.link = g.querySelector("a");
    return out;
  }

  /* ---- the node table ------------------------------------------------------------------ */
  var tbody = $("node-rows"), rowsEl = [];
  (D.tableOrder || D.nodes.map(function (n, k) { return k; })).forEach(function (k) {
    var n = D.nodes[k];
    var tr = document.createElement("div");
    tr.className = "nrow"; tr.setAttribute("role", "row");
    tr.dataset.node = n.id;
    cell(tr, "idx", String(k));
    cell(tr, "name", n.name);
    cell(tr, "formula", n.formula || (n.kind === "const" ? "constant" : "leaf"));
    cell(tr, "data", n.data);
    cell(tr, "grad", n.kind === "const" ? "" : "0");
    tbody.appendChild(tr); rowsEl[k] = tr;
  });
  $("node-count").textContent = N + " values, " + F + " ops";
  function cell(tr, cls, text) {
    var td = document.createElement(tr.tagName === "TR" ? "td" : "span");
    td.className = cls; td.textContent = text; tr.appendChild(td); return td;
  }

  /* ---- drawing the state --------------------------------------------------------------- */
  var marked = [];
  function mark(el, cls) { if (el) { el.classList.add(cls); marked.push([el, cls]); } }

  function render() {
    var changed = Object.keys(dirty).map(Number);
    changed.forEach(paintNode);
    dirty = {};
    marked.forEach(function (m) { m[0].classList.remove(m[1]); });
    marked = [];
    var focus = explain();
    if (focus && !gradMask) {  // a quiz marks its own question instead of the step's nodes
      var k = focus.node;
      mark(svgNode[k], "cr-cur"); mark(svgOp[k], "cr-cur"); mark(rowsEl[k], "cur");
      (focus.inputs || []).forEach(function (j) { mark(svgNode[j], "cr-inp"); mark(rowsEl[j], "inp"); });
      if (focus.flow) {
        edgesIn[k].forEach(function (e) { mark(e, "cr-flow"); });
        edgeOut[k].forEach(function (e) { mark(e, "cr-flow"); });
      }
      follow(k);
    }
    paintUnits(focus ? focus.node : null, changed);
    progress();
    document.body.dataset.position = String(pos);
    remember();
    listeners.forEach(function (fn) { fn(pos); });
  }

  // The position lives in the address (player.html#12), so a reload or a shared link keeps it.
  function remember() {
    try { history.replaceState(null, "", "#" + pos); } catch (e) { /* some file:// setups refuse */ }
  }

  function paintNode(k) {
    var n = D.nodes[k], f = fields[k] || {}, shownData = revealed[k] ? n.data : "?";
    var live = touched[k] > 0, shownGrad = grad[k];
    if (gradMask && gradMask(k)) { live = false; shownGrad = n.kind === "const" ? "" : "?"; }  // a quiz hides it
    var hide = !revealed[k];
    [svgNode[k], svgOp[k]].concat(edgesIn[k] || [], edgeOut[k] || []).forEach(function (el) {
      if (el) el.classList.toggle("cr-hidden", hide);
    });
    if (f.data) { f.data.el.textContent = f.data.pad + shownData; f.data.el.classList.toggle("cr-unknown", hide); }
    var bad = live && !isFinite(Number(exact[k]));  // nan and inf: a warning, never "good" green
    if (f.grad) {
      f.grad.el.textContent = f.grad.pad + shownGrad;
      f.grad.el.classList.toggle("cr-unknown", !live);
      f.grad.el.classList.toggle("cr-grad-live", live && !bad);
      f.grad.el.classList.toggle("cr-bad", bad);
    }
    if (f.link) f.link.setAttributeNS(XLINK, "title", n.name + ": data " + shownData +
                                       (n.kind === "const" ? "" : ", grad " + shownGrad));
    var tr = rowsEl[k];
    tr.classList.toggle("hidden", hide);
    tr.classList.toggle("untouched", !live);
    tr.classList.toggle("bad", bad);
    tr.querySelector(".data").textContent = shownData;
    if (n.kind !== "const") {
      var g = tr.querySelector(".grad");
      g.textContent = shownGrad; g.dataset.exact = exact[k];
    }
  }

  function follow(k) {
    if (!$("follow").checked) return;
    if (view === "scalar" && scalarView) scalarView.show(svgNode[k]);
    if (net && units[view]) net.viewport.show(net.box(units[view].of[k]));
    var wrap = document.querySelector(".node-table-wrap"), r = rowsEl[k];
    if (wrap && r) {
      var b = wrap.getBoundingClientRect(), e = r.getBoundingClientRect();
      if (e.top < b.top || e.bottom > b.bottom) wrap.scrollTop += (e.top + e.height / 2) - (b.top + b.height / 2);
    }
  }

  function progress() {
    var fwd = Math.min(pos, F), bwd = Math.max(0, pos - F);
    $("bar-forward").style.width = (100 * fwd / Math.max(1, LAST)) + "%";
    $("bar-backward").style.width = (100 * bwd / Math.max(1, LAST)) + "%";
    $("progress-text").textContent = "forward " + fwd + "/" + F + " · backward " +
      Math.max(0, pos - SEED) + "/" + B + " · position " + pos + " of " + LAST;
    $("first").disabled = $("prev").disabled = pos === 0;
    $("next").disabled = $("last").disabled = pos === LAST;
  }

  /* ---- the explanation card ----------------------------------------------------------- */
  function explain() {
    var card = $("explain"), root = D.nodes[ROOT], r = D.rootName;
    var rowsTable = $("rows");
    rowsTable.textContent = ""; $("lines").textContent = "";
    card.className = "card " + (pos === 0 ? "ready" : pos <= F ? "forward" : "backward");
    if (pos === 0) {
      say("ready", "Ready: " + N + " values, " + F + " ops, " + B + " backward steps",
          "The leaves already hold their numbers (inputs, parameters and constants). Step forward (→) " +
          "to compute every other node from its inputs in topological order, then the backward pass " +
          "fills in each grad with the chain rule.");
      return null;
    }
    if (pos <= F) {
      var k = D.forward[pos - 1], n = D.nodes[k];
      say(where(k) + "forward pass · step " + pos + " of " + F, defines(n),
          "Compute " + n.name + " from its inputs: " + clip(n.formula) + " = " + clip(n.numbers) +
          (n.numbers === n.data ? "" : " = " + n.data) + ". The local derivatives are stored " +
          "now too; the backward pass will multiply them by the upstream gradient.");
      var later = D.steps[backwardPos[k] - SEED - 1];
      if (later) {
        header(rowsTable, ["input", "local " + partial(n.name, "input"), "stored"]);
        later.rows.forEach(function (row) {
          var tr = document.createElement("tr");
          cell(tr, "", D.nodes[row.input].name);
          cell(tr, "formula", row.formula);
          cell(tr, "num", row.local);
          rowsTable.appendChild(tr);
        });
      }
      return { node: k, inputs: n.inputs, flow: true };
    }
    if (pos === SEED) {
      say("backward pass · start", partial(r, r) + " = 1",
          "The backward pass starts at the root " + r + " (= " + root.data + "): its grad is 1, because " +
          r + " changes one-for-one with itself. Every other grad starts at 0 and collects " +
          "contributions as the pass walks the nodes in reverse topological order.");
      return { node: ROOT };
    }
    var s = D.steps[pos - SEED - 1], node = D.nodes[s.node], name = node.name;
    say(where(s.node) + "backward pass · step " + (pos - SEED) + " of " + B, defines(node),
        "Upstream gradient " + partial(r, name) + " = " + s.upstream + ". Each input of " + name +
        " gets local derivative × upstream added to its grad." +
        (pos === LAST ? " This was the last step: every grad is now complete." : ""));
    header(rowsTable, ["input", "local " + partial(name, "input"), "× upstream = contribution", "grad now"]);
    s.rows.forEach(function (row) {
      var tr = document.createElement("tr");
      cell(tr, "", D.nodes[row.input].name);
      cell(tr, "formula", row.formula === row.local ? row.local : row.formula + " = " + row.local);
      cell(tr, "num", "× " + s.upstream + " = " + row.contribution);
      cell(tr, "num after" + (isFinite(Number(row.exactAfter)) ? "" : " bad"), row.after);
      rowsTable.appendChild(tr);
    });
    $("lines").textContent = s.lines.join("\n");
    return { node: s.node, inputs: s.rows.map(function (row) { return row.input; }), flow: true };
  }
  // In a unit view the phase says which neuron (or layer) the step belongs to.
  function where(k) {
    var level = units[view];
    if (!level || level.of[k] === undefined) return "";
    var u = level.list[level.of[k]];
    return u.kind === "value" ? "" : u.name + " · ";
  }
  // "∂o/∂(x1*w1 + x2*w2)": names that are not single words get parentheses.
  function wrap(name) { return /^[\w.]+$/.test(name) ? name : "(" + name + ")"; }
  function partial(top, bottom) { return "∂" + wrap(top) + "/∂" + wrap(bottom); }
  function defines(n) {
    var same = n.formula.replace(/\s+/g, "") === n.name.replace(/\s+/g, "");
    var text = same ? n.name : n.name + " = " + n.formula;
    return text.length > 90 ? text.slice(0, 88) + " …" : text;
  }
  function header(table, names) {
    var tr = document.createElement("tr");
    names.forEach(function (h) { var th = document.createElement("th"); th.textContent = h; tr.appendChild(th); });
    table.appendChild(tr);
  }
  function clip(text) { return text.length > 300 ? text.slice(0, 298) + " …" : text; }
  function say(phase, headline, words) {
    $("phase").textContent = phase; $("headline").textContent = headline; $("words").textContent = words;
  }

  /* ---- legend ------------------------------------------------------------------------- */
  var LEGEND = [
    ["leaf", "leaf (input or parameter)"], ["const", "constant"], ["inner", "intermediate value"],
    ["root", "root"], ["op", "operation"],
    [null, "current node", "#fee2e2", "#dc2626"], [null, "its inputs (get a contribution)", "#dcfce7", "#16a34a"],
    [null, "not computed yet (dimmed)", "#f8fafc", "#cbd5e1"], [null, "grad received so far", "#fff7ed", "#ea580c"],
    [null, "nan or inf (a warning)", "#fde68a", "#b45309"]
  ];
  LEGEND.forEach(function (item) {
    var c = item[0] ? (D.colours[item[0]] || ["#fff", "#999"]) : [item[2], item[3]];
    var li = document.createElement("li"), sw = document.createElement("span");
    sw.className = "swatch"; sw.style.background = c[0]; sw.style.borderColor = c[1];
    li.appendChild(sw); li.appendChild(document.createTextNode(item[1]));
    $("legend").appendChild(li);
  });

  /* ---- views: scalar (dot's picture), network and layer (one box per neuron / layer) ---- */
  var VIEWS = D.views || ["scalar"], view = VIEWS[0];
  var scalarView = svg ? CRViewport($("graph"), svg) : null;
  var units = {}, net = null;
  ["network", "layer"].forEach(function (name) {
    var list = D.levels && D.levels[name === "network" ? "neuron" : "layer"];
    if (!list) return;
    var of = {}, runs = {};
    list.forEach(function (u, i) { u.members.forEach(function (m) { of[m] = i; }); });
    units[name] = { list: list, of: of, runs: runs };
  });
  var netBox = $("net"), netPictures = {};
  function netPicture(name) {  // drawn on first use: a page opened on the scalar view pays nothing
    if (!netPictures[name]) {
      var p = CRNetwork(units[name].list, D.nodes, name);
      p.svg.addEventListener("click", function (e) {
        var g = e.target.closest && e.target.closest("g.unit");
        if (g) { stop(); drill(+g.dataset.unit); }
      });
      netPictures[name] = p;
    }
    return netPictures[name];
  }
  function setView(name) {
    if (VIEWS.indexOf(name) < 0) throw new Error("no view " + name + "; views: " + VIEWS.join(", "));
    view = name;
    var unitView = !!units[name];
    $("graph").hidden = unitView; netBox.hidden = !unitView;
    $("edge-mode-box").hidden = $("detail").hidden = !unitView;
    if (unitView) {
      net = netPicture(name);
      net.stale();  // stepped elsewhere meanwhile: paint it whole once
      netBox.textContent = ""; netBox.appendChild(net.svg);
      net.viewport = net.viewport || CRViewport(netBox, net.svg);
      if (!net.fitted) { net.viewport.fit(); net.fitted = true; }
    } else {
      net = null;
      if (scalarView && !scalarView.fitted) { scalarView.fit(); scalarView.fitted = $("graph").clientWidth > 0; }
    }
    document.querySelectorAll("#views button").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.view === name));
    });
    document.body.dataset.view = name;
    render();
  }
  function currentView() { return net ? net.viewport : scalarView; }
  // The unit of the node at each position; stepping in a unit view moves one unit at a time.
  function nodeAt(p) { return p <= 0 ? null : p <= F ? D.forward[p - 1] : p === SEED ? ROOT : D.steps[p - SEED - 1].node; }
  function unitAt(p) {
    var k = nodeAt(p), level = units[view];
    if (k === null || !level) return null;
    return (p <= F ? "f" : "b") + level.of[k];
  }
  function stepBy(dir) {
    if (!units[view]) { goto(pos + dir); return; }
    var p = pos;
    if (dir > 0) {  // to the last position of the next unit's run
      if (p >= LAST) return;
      var u = unitAt(p + 1); p += 1;
      while (p < LAST && unitAt(p + 1) === u) p += 1;
    } else {  // to the end of the run before the current one
      var here = unitAt(p);
      while (p > 0 && unitAt(p) === here) p -= 1;
    }
    goto(p);
  }
  function paintUnits(focusNode, changed) {
    if (!net) return;
    var level = units[view];
    var current = focusNode === null ? -1 : level.of[focusNode];
    net.paint({ revealed: revealed, grad: grad, exact: exact, touched: touched },
              current === undefined ? -1 : current, $("edge-mode").value, changed);
  }
  // Drill down: a unit's scalar Values, at its chain-rule step of the pass under way.
  function drill(i) {
    var u = units[view].list[i], k = u.out;
    var steps = u.members.map(function (m) { return backwardPos[m]; }).filter(function (p) { return p !== undefined; });
    var fwd = u.members.map(function (m) { return forwardPos[m]; }).filter(function (p) { return p !== undefined; });
    setView("scalar");
    if (pos > F && steps.length) goto(Math.min.apply(null, steps));
    else if (fwd.length) goto(Math.max.apply(null, fwd));
    else jumpTo(k);
    closeUp(svgNode[k]);
  }
  function closeUp(el) {  // a neuron's Values readable: zoom in from the overview, then centre
    if (!scalarView || !el) return;
    if (scalarView.zoom() < 0.8) scalarView.setZoom(1);
    scalarView.show(el);
  }
  function detail() {
    if (!units[view]) return;
    var k = nodeAt(pos);
    setView("scalar");
    if (k !== null) closeUp(svgNode[k]);
  }
  if (VIEWS.length > 1) {
    VIEWS.forEach(function (name) {
      var b = document.createElement("button");
      b.type = "button"; b.dataset.view = name; b.textContent = name;
      b.id = "view-" + name;
      b.onclick = function () { setView(name); };
      $("views").appendChild(b);
    });
  }

  /* ---- zoom --------------------------------------------------------------------------- */
  function zoomBy(f) { var v = currentView(); if (v) v.setZoom(v.zoom() * f); }
  function fit() { var v = currentView(); if (v) v.fit(); }
  $("zoom-in").onclick = function () { zoomBy(1.25); };
  $("zoom-out").onclick = function () { zoomBy(1 / 1.25); };
  $("zoom-fit").onclick = fit;
  $("edge-mode").onchange = function () { render(); };
  $("detail").onclick = detail;

  /* ---- controls ----------------------------------------------------------------------- */
  var timer = null;
  function stop() { if (timer) { clearInterval(timer); timer = null; } $("play").textContent = "▶ play"; }
  function play() {
    if (timer) { stop(); return; }
    if (pos === LAST) goto(0);
    $("play").textContent = "❚❚ pause";
    timer = setInterval(function () { if (pos >= LAST) stop(); else stepBy(1); },
                        1000 / Number($("speed").value));
  }
  $("speed").oninput = function () { if (timer) { stop(); play(); } };
  $("first").onclick = function () { stop(); goto(0); };
  $("prev").onclick = function () { stop(); stepBy(-1); };
  $("next").onclick = function () { stop(); stepBy(1); };
  $("last").onclick = function () { stop(); goto(LAST); };
  $("play").onclick = play;
  $("to-backward").onclick = function () { stop(); goto(SEED); };
  function nextView() { setView(VIEWS[(VIEWS.indexOf(view) + 1) % VIEWS.length]); }
  var KEYS = {
    ArrowRight: function () { stop(); stepBy(1); }, ArrowLeft: function () { stop(); stepBy(-1); },
    PageDown: function () { stop(); goto(pos + 10); }, PageUp: function () { stop(); goto(pos - 10); },
    Home: function () { stop(); goto(0); }, End: function () { stop(); goto(LAST); },
    " ": play, b: function () { stop(); goto(SEED); }, B: function () { stop(); goto(SEED); },
    "+": function () { zoomBy(1.25); }, "=": function () { zoomBy(1.25); },
    "-": function () { zoomBy(1 / 1.25); }, "0": fit, v: nextView, V: nextView, d: detail, D: detail
  };
  // Keys work whatever was clicked last: a focused button, checkbox, slider or menu does not
  // swallow them (only typing into a text field does).
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || !KEYS[e.key]) return;
    if (document.body.classList.contains("quizzing")) return;  // the quiz owns the page
    var t = e.target || {}, tag = t.tagName || "";
    if (tag === "TEXTAREA" || t.isContentEditable ||
        (tag === "INPUT" && !/^(checkbox|range|button|radio)$/.test(t.type))) return;
    if (tag === "SELECT" && /^Arrow/.test(e.key)) t.blur();
    e.preventDefault(); e.stopPropagation();
    KEYS[e.key]();
  }, true);
  // A clicked control gives the focus back, so Space never presses it a second time.
  document.querySelectorAll("button, input[type=checkbox], input[type=range]").forEach(function (c) {
    c.addEventListener("click", function () { c.blur(); });
    c.addEventListener("change", function () { c.blur(); });
  });

  // Clicking a node (in the picture or the table) jumps to its step in the pass under way:
  // during the backward pass a computed node's own step, a leaf's last contribution; in the
  // forward pass the step that computes it, or for a leaf the first step that reads it.
  var lastFeed = [], firstUse = [];
  D.steps.forEach(function (s, i) { s.rows.forEach(function (r) { lastFeed[r.input] = SEED + 1 + i; }); });
  D.forward.forEach(function (k, i) {
    D.nodes[k].inputs.forEach(function (j) { if (firstUse[j] === undefined) firstUse[j] = i + 1; });
  });
  function jumpTo(k) {
    var target = pos > F ? (backwardPos[k] !== undefined ? backwardPos[k] : lastFeed[k])
                         : (forwardPos[k] !== undefined ? forwardPos[k] : firstUse[k]);
    if (k === ROOT && pos > F && target === undefined) target = SEED;
    if (target !== undefined) { stop(); goto(target); }
  }
  D.nodes.forEach(function (n, k) {
    [svgNode[k], svgOp[k], rowsEl[k]].forEach(function (el) {
      if (el) { el.style.cursor = "pointer"; el.addEventListener("click", function () { jumpTo(k); }); }
    });
  });

  for (var k = 0; k < N; k++) dirty[k] = 1;
  function fromAddress() {
    var m = /^#(\d+)$/.exec(location.hash || "");
    if (m) { stop(); goto(Number(m[1])); }
    return !!m;
  }
  window.addEventListener("hashchange", fromAddress);
  var listeners = [];
  fromAddress();
  setView(view);
  // The scripting handle for teachers, tests and add-ons (quiz.js): read and move the position,
  // switch views, and hear about every change with onChange(fn).
  window.chainrule = {
    get position() { return pos; }, total: LAST, seed: SEED, views: VIEWS.slice(),
    get view() { return view; },
    goTo: function (n) { stop(); goto(Number(n)); return pos; }, setView: setView,
    step: function (dir) { stop(); stepBy(dir || 1); return pos; },
    onChange: function (fn) { listeners.push(fn); }, data: D,
    // maskGrads(fn): show "?" for every grad where fn(k) is true (null: show them all again)
    maskGrads: function (fn) { gradMask = fn; for (var j = 0; j < N; j++) dirty[j] = 1; render(); },
    elements: function (k) { return { svg: svgNode[k], op: svgOp[k], row: rowsEl[k] }; },
    follow: follow
  };
  window.chainrulePlayer = { goto: goto, last: LAST, seed: SEED, position: function () { return pos; } };
}
})();
