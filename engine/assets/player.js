/* chainrule backprop player: displays numbers computed by the Python engine.
   Every piece of data is inserted with textContent, never as HTML. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("player-data").textContent);
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
  var pos = 0, dirty = {};

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
  D.nodes.forEach(function (n, k) {
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
    Object.keys(dirty).forEach(function (key) { paintNode(+key); });
    dirty = {};
    marked.forEach(function (m) { m[0].classList.remove(m[1]); });
    marked = [];
    var focus = explain();
    if (focus) {
      var k = focus.node;
      mark(svgNode[k], "cr-cur"); mark(svgOp[k], "cr-cur"); mark(rowsEl[k], "cur");
      (focus.inputs || []).forEach(function (j) { mark(svgNode[j], "cr-inp"); mark(rowsEl[j], "inp"); });
      if (focus.flow) {
        edgesIn[k].forEach(function (e) { mark(e, "cr-flow"); });
        edgeOut[k].forEach(function (e) { mark(e, "cr-flow"); });
      }
      follow(k);
    }
    progress();
    document.body.dataset.position = String(pos);
    remember();
  }

  // The position lives in the address (player.html#12), so a reload or a shared link keeps it.
  function remember() {
    try { history.replaceState(null, "", "#" + pos); } catch (e) { /* some file:// setups refuse */ }
  }

  function paintNode(k) {
    var n = D.nodes[k], f = fields[k] || {}, shownData = revealed[k] ? n.data : "?";
    var live = touched[k] > 0, shownGrad = grad[k];
    var hide = !revealed[k];
    [svgNode[k], svgOp[k]].concat(edgesIn[k] || [], edgeOut[k] || []).forEach(function (el) {
      if (el) el.classList.toggle("cr-hidden", hide);
    });
    if (f.data) { f.data.el.textContent = f.data.pad + shownData; f.data.el.classList.toggle("cr-unknown", hide); }
    if (f.grad) {
      f.grad.el.textContent = f.grad.pad + shownGrad;
      f.grad.el.classList.toggle("cr-unknown", !live);
      f.grad.el.classList.toggle("cr-grad-live", live);
    }
    if (f.link) f.link.setAttributeNS(XLINK, "title", n.name + ": data " + shownData +
                                       (n.kind === "const" ? "" : ", grad " + shownGrad));
    var tr = rowsEl[k];
    tr.classList.toggle("hidden", hide);
    tr.classList.toggle("untouched", !live);
    tr.querySelector(".data").textContent = shownData;
    if (n.kind !== "const") {
      var g = tr.querySelector(".grad");
      g.textContent = shownGrad; g.dataset.exact = exact[k];
    }
  }

  function follow(k) {
    if (!$("follow").checked) return;
    scrollInto($("graph"), svgNode[k]);
    scrollInto(document.querySelector(".node-table-wrap"), rowsEl[k]);
  }
  function scrollInto(box, el) {
    if (!box || !el) return;
    var b = box.getBoundingClientRect(), r = el.getBoundingClientRect();
    if (r.left < b.left || r.right > b.right) box.scrollLeft += (r.left + r.width / 2) - (b.left + b.width / 2);
    if (r.top < b.top || r.bottom > b.bottom) box.scrollTop += (r.top + r.height / 2) - (b.top + b.height / 2);
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
      say("forward pass · step " + pos + " of " + F, defines(n),
          "Compute " + n.name + " from its inputs: " + clip(n.formula) + " = " + clip(n.numbers) +
          (n.numbers === n.data ? "" : " = " + n.data) + ". The local derivatives are stored " +
          "now too; the backward pass will multiply them by the upstream gradient.");
      var later = D.steps[backwardPos[k] - SEED - 1];
      if (later) {
        header(rowsTable, ["input", "local " + partial(n.name, "input"), "stored"]);
        later.rows.forEach(function (row) {
          var tr = document.createElement("tr");
          cell(tr, "", row.name);
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
    say("backward pass · step " + (pos - SEED) + " of " + B, defines(node),
        "Upstream gradient " + partial(r, name) + " = " + s.upstream + ". Each input of " + name +
        " gets local derivative × upstream added to its grad." +
        (pos === LAST ? " This was the last step: every grad is now complete." : ""));
    header(rowsTable, ["input", "local " + partial(name, "input"), "× upstream = contribution", "grad now"]);
    s.rows.forEach(function (row) {
      var tr = document.createElement("tr");
      cell(tr, "", row.name);
      cell(tr, "formula", row.formula === row.local ? row.local : row.formula + " = " + row.local);
      cell(tr, "num", "× " + s.upstream + " = " + row.contribution);
      cell(tr, "num after", row.after);
      rowsTable.appendChild(tr);
    });
    $("lines").textContent = s.lines.join("\n");
    return { node: s.node, inputs: s.rows.map(function (row) { return row.input; }), flow: true };
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
    [null, "not computed yet (dimmed)", "#f8fafc", "#cbd5e1"], [null, "grad received so far", "#fff7ed", "#ea580c"]
  ];
  LEGEND.forEach(function (item) {
    var c = item[0] ? (D.colours[item[0]] || ["#fff", "#999"]) : [item[2], item[3]];
    var li = document.createElement("li"), sw = document.createElement("span");
    sw.className = "swatch"; sw.style.background = c[0]; sw.style.borderColor = c[1];
    li.appendChild(sw); li.appendChild(document.createTextNode(item[1]));
    $("legend").appendChild(li);
  });

  /* ---- zoom --------------------------------------------------------------------------- */
  var zoom = 1, natural = null;
  if (svg) {
    var vb = (svg.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
    natural = vb.length === 4 && vb[2] > 0 ? [vb[2] * 4 / 3, vb[3] * 4 / 3] : null;
  }
  function setZoom(z) {
    if (!natural) return;
    zoom = Math.max(0.1, Math.min(4, z));
    svg.setAttribute("width", (natural[0] * zoom).toFixed(1) + "px");
    svg.setAttribute("height", (natural[1] * zoom).toFixed(1) + "px");
  }
  function fit() {
    if (!natural) return;
    var box = $("graph"), w = box.clientWidth - 24, h = box.clientHeight - 24;
    var z = Math.min(w / natural[0], h > 100 ? h / natural[1] : Infinity, 1.5);
    setZoom(Math.max(z, 0.3));  // below this the labels are unreadable: scroll instead
  }
  $("zoom-in").onclick = function () { setZoom(zoom * 1.25); };
  $("zoom-out").onclick = function () { setZoom(zoom / 1.25); };
  $("zoom-fit").onclick = fit;

  /* ---- controls ----------------------------------------------------------------------- */
  var timer = null;
  function stop() { if (timer) { clearInterval(timer); timer = null; } $("play").textContent = "▶ play"; }
  function play() {
    if (timer) { stop(); return; }
    if (pos === LAST) goto(0);
    $("play").textContent = "❚❚ pause";
    timer = setInterval(function () { if (pos >= LAST) stop(); else goto(pos + 1); },
                        1000 / Number($("speed").value));
  }
  $("speed").oninput = function () { if (timer) { stop(); play(); } };
  $("first").onclick = function () { stop(); goto(0); };
  $("prev").onclick = function () { stop(); goto(pos - 1); };
  $("next").onclick = function () { stop(); goto(pos + 1); };
  $("last").onclick = function () { stop(); goto(LAST); };
  $("play").onclick = play;
  $("to-backward").onclick = function () { stop(); goto(SEED); };
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var tag = (e.target && e.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    var keys = {
      ArrowRight: function () { stop(); goto(pos + 1); }, ArrowLeft: function () { stop(); goto(pos - 1); },
      PageDown: function () { stop(); goto(pos + 10); }, PageUp: function () { stop(); goto(pos - 10); },
      Home: function () { stop(); goto(0); }, End: function () { stop(); goto(LAST); },
      " ": play, b: function () { stop(); goto(SEED); }, B: function () { stop(); goto(SEED); },
      "+": function () { setZoom(zoom * 1.25); }, "=": function () { setZoom(zoom * 1.25); },
      "-": function () { setZoom(zoom / 1.25); }, "0": fit
    };
    if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
  });

  // Clicking a node (in the picture or the table) jumps to its step: its backward step once
  // the backward pass has begun, else the forward step that computes it.
  function jumpTo(k) {
    var target = pos > F && backwardPos[k] !== undefined ? backwardPos[k] : forwardPos[k];
    if (target !== undefined) { stop(); goto(target); }
  }
  D.nodes.forEach(function (n, k) {
    [svgNode[k], svgOp[k], rowsEl[k]].forEach(function (el) {
      if (el) { el.style.cursor = "pointer"; el.addEventListener("click", function () { jumpTo(k); }); }
    });
  });

  for (var k = 0; k < N; k++) dirty[k] = 1;
  fit();
  function fromAddress() {
    var m = /^#(\d+)$/.exec(location.hash || "");
    if (m) { stop(); goto(Number(m[1])); }
    return !!m;
  }
  window.addEventListener("hashchange", fromAddress);
  if (!fromAddress()) render();
  window.chainrulePlayer = { goto: goto, last: LAST, seed: SEED, position: function () { return pos; } };
})();
