/* chainrule player: the network and layer views, drawn from the units Python computed
   (engine/levels.py): one box per neuron (or layer) call, columns by depth, and the weights
   as edges (colour = sign, width = size) or their gradients. Text goes in with textContent. */
window.CRNetwork = function (units, nodes, level) {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var COL = 230, ROW = 54, W = 184, H = 40, PAD = 16;
  var height = {}, tallest = 0;
  units.forEach(function (u) { height[u.col] = Math.max(height[u.col] || 0, u.row + 1); });
  Object.keys(height).forEach(function (c) { tallest = Math.max(tallest, height[c]); });
  var cols = Object.keys(height).length ? Math.max.apply(null, Object.keys(height).map(Number)) + 1 : 1;
  var width = cols * COL + 2 * PAD - (COL - W), full = tallest * ROW + 2 * PAD;
  function at(u) {  // columns are centred on the tallest one
    return [PAD + u.col * COL, PAD + (u.row + (tallest - height[u.col]) / 2) * ROW];
  }
  var svg = el("svg", { viewBox: "0 0 " + width + " " + full, "class": "cr-net", "data-units": "px",
                        width: width + "px", height: full + "px" });
  var edgeLayer = el("g", { "class": "edges" }), unitLayer = el("g", { "class": "units" });
  svg.appendChild(edgeLayer); svg.appendChild(unitLayer);
  var boxes = [], edges = [], largest = { weight: 0, grad: 0 };
  units.forEach(function (u, i) {
    var p = at(u), g = el("g", { "class": "unit " + u.kind + " kind-" + nodes[u.out].kind,
                                 transform: "translate(" + p[0] + "," + p[1] + ")" });
    g.dataset.unit = String(i);
    g.appendChild(el("rect", { width: W, height: H, rx: 7 }));
    var title = el("text", { x: 8, y: 16, "class": "name" }); title.textContent = clip(u.name, 26);
    var line = el("text", { x: 8, y: 33, "class": "value" });
    var tip = el("title", {}); tip.textContent = u.name;
    g.appendChild(tip); g.appendChild(title); g.appendChild(line);
    unitLayer.appendChild(g);
    boxes.push({ g: g, line: line, unit: u });
    u.sources.forEach(function (s, j) {
      var a = at(units[s]), w = u.weights[j];
      var x1 = a[0] + W, y1 = a[1] + H / 2, x2 = p[0], y2 = p[1] + H / 2, mid = (x1 + x2) / 2;
      var path = el("path", { d: "M" + x1 + "," + y1 + " C" + mid + "," + y1 + " " + mid + "," + y2 +
                                 " " + x2 + "," + y2, "class": "edge" + (w === null ? " plain" : "") });
      if (w !== null) {
        var t = el("title", {}); t.textContent = nodes[w].name; path.appendChild(t);
        largest.weight = Math.max(largest.weight, finite(Math.abs(Number(nodes[w].exactData))));
        largest.grad = Math.max(largest.grad, finite(Math.abs(Number(nodes[w].exactGrad))));
      }
      edgeLayer.appendChild(path);
      edges.push({ path: path, weight: w, unit: i });
    });
  });

  var boxesOf = {}, edgesOfWeight = {}, edgesOfUnit = {};
  boxes.forEach(function (b, i) { (boxesOf[b.unit.out] = boxesOf[b.unit.out] || []).push(i); });
  edges.forEach(function (e) {
    if (e.weight !== null) (edgesOfWeight[e.weight] = edgesOfWeight[e.weight] || []).push(e);
    (edgesOfUnit[e.unit] = edgesOfUnit[e.unit] || []).push(e);
  });
  var painted = null;  // {current, mode} of the last paint; null: paint everything

  // Paint the state (state.revealed/grad/exact/touched per node). ``changed`` lists the nodes
  // that changed since the last paint: only their boxes and edges are touched, so a step costs
  // little even with thousands of edges; without it (or after a switch) everything is painted.
  function paint(state, current, mode, changed) {
    var full = !painted || !changed || painted.mode !== mode;
    var todoBoxes = {}, todoEdges = [];
    if (full) {
      boxes.forEach(function (b, i) { todoBoxes[i] = 1; });
      todoEdges = edges;
    } else {
      [painted.current, current].forEach(function (u) {
        if (u >= 0) { todoBoxes[u] = 1; todoEdges = todoEdges.concat(edgesOfUnit[u] || []); }
      });
      changed.forEach(function (k) {
        (boxesOf[k] || []).forEach(function (i) { todoBoxes[i] = 1; });
        if (mode === "grad") todoEdges = todoEdges.concat(edgesOfWeight[k] || []);
      });
    }
    Object.keys(todoBoxes).forEach(function (key) { paintBox(+key, state, current); });
    todoEdges.forEach(function (e) { paintEdge(e, state, current, mode); });
    painted = { current: current, mode: mode };
  }
  function paintBox(i, state, current) {
    var b = boxes[i], k = b.unit.out, shown = state.revealed[k];
    b.g.classList.toggle("cr-hidden", !shown);
    b.g.classList.toggle("cr-cur", i === current);
    b.g.classList.toggle("cr-live", state.touched[k] > 0);
    b.g.classList.toggle("cr-bad", !isFinite(Number(state.exact[k])));
    var what = b.unit.kind === "layer" ? b.unit.width + " neurons · " : (b.unit.kind === "neuron" ? "a " : "");
    b.line.textContent = what + (shown ? nodes[k].data : "?") +
      (nodes[k].kind === "const" ? "" : "   ∇ " + state.grad[k]);
  }
  function paintEdge(e, state, current, mode) {
    var p = e.path, w = e.weight;
    if (w === null) { p.classList.toggle("cr-flow", e.unit === current); return; }
    var x = mode === "grad" ? Number(state.exact[w]) : Number(nodes[w].exactData);
    var top = mode === "grad" ? largest.grad : largest.weight;
    var share = !isFinite(x) ? 1 : top > 0 ? Math.min(1, Math.abs(x) / top) : 0;
    p.setAttribute("stroke-width", (0.4 + 3.6 * share).toFixed(2));
    p.setAttribute("class", "edge " + (mode === "grad" ? "g" : "w") +
                   (!isFinite(x) ? "bad" : x > 0 ? "pos" : x < 0 ? "neg" : "zero") +
                   (e.unit === current ? " cr-flow" : ""));
    p.style.strokeOpacity = (0.25 + 0.75 * share).toFixed(2);
  }
  function el(tag, attrs) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (a) { e.setAttribute(a, attrs[a]); });
    return e;
  }
  function finite(x) { return isFinite(x) ? x : 0; }
  function clip(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }
  return { svg: svg, paint: paint, box: function (i) { return boxes[i] && boxes[i].g; }, level: level,
           stale: function () { painted = null; } };
};
