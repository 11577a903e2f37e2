/* chainrule player: a picture in a scrolling box that pans by dragging and zooms by
   wheel, pinch, the buttons or the keys. Used by every view of the page. */
window.CRViewport = function (box, svg) {
  "use strict";
  var zoom = 1, natural = null, MIN = 0.02, MAX = 6;
  var vb = (svg.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
  if (vb.length === 4 && vb[2] > 0) natural = [vb[2] * 4 / 3, vb[3] * 4 / 3];
  var points = svg.dataset.units === "px";  // our own pictures are drawn in px, dot's in pt
  if (points && natural) natural = [vb[2], vb[3]];

  // Zoom to z keeping the picture point under (cx, cy) (box coordinates) where it is.
  function setZoom(z, cx, cy) {
    if (!natural) return;
    z = Math.max(MIN, Math.min(MAX, z));
    if (cx === undefined) { cx = box.clientWidth / 2; cy = box.clientHeight / 2; }
    var px = (box.scrollLeft + cx) / zoom, py = (box.scrollTop + cy) / zoom;
    zoom = z;
    svg.setAttribute("width", (natural[0] * z).toFixed(1) + "px");
    svg.setAttribute("height", (natural[1] * z).toFixed(1) + "px");
    box.scrollLeft = px * z - cx; box.scrollTop = py * z - cy;
  }
  function fit() {
    if (!natural) return;
    var w = box.clientWidth - 4, h = box.clientHeight - 4;
    if (w <= 0 || h <= 0) return;
    setZoom(Math.min(w / natural[0], h / natural[1], 1.5));
    box.scrollLeft = 0; box.scrollTop = 0;
  }
  // Bring an element into view (centred) when it is outside the box.
  function show(el) {
    if (!el) return;
    var b = box.getBoundingClientRect(), r = el.getBoundingClientRect();
    if (r.left < b.left || r.right > b.right) box.scrollLeft += (r.left + r.width / 2) - (b.left + b.width / 2);
    if (r.top < b.top || r.bottom > b.bottom) box.scrollTop += (r.top + r.height / 2) - (b.top + b.height / 2);
  }

  /* dragging (mouse, pen, one finger) pans; two fingers pinch; a drag is never a click */
  var pointers = {}, dragged = false, pinch = null;
  box.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) return;
    pointers[e.pointerId] = [e.clientX, e.clientY];
    dragged = false;
    if (Object.keys(pointers).length === 2) pinch = { d: spread(), z: zoom };
  });
  box.addEventListener("pointermove", function (e) {
    var p = pointers[e.pointerId]; if (!p) return;
    var dx = e.clientX - p[0], dy = e.clientY - p[1];
    var ids = Object.keys(pointers);
    if (ids.length === 2 && pinch) {
      pointers[e.pointerId] = [e.clientX, e.clientY];
      var r = box.getBoundingClientRect(), q = pointers[ids[0]], s = pointers[ids[1]];
      setZoom(pinch.z * spread() / pinch.d, (q[0] + s[0]) / 2 - r.left, (q[1] + s[1]) / 2 - r.top);
      dragged = true; return;
    }
    if (!dragged && Math.abs(dx) + Math.abs(dy) < 4) return;
    if (!dragged) { box.setPointerCapture(e.pointerId); box.classList.add("dragging"); }
    dragged = true;
    box.scrollLeft -= dx; box.scrollTop -= dy;
    pointers[e.pointerId] = [e.clientX, e.clientY];
  });
  function up(e) {
    delete pointers[e.pointerId];
    if (Object.keys(pointers).length < 2) pinch = null;
    box.classList.remove("dragging");
  }
  box.addEventListener("pointerup", up);
  box.addEventListener("pointercancel", up);
  box.addEventListener("click", function (e) {  // the click that ends a drag selects nothing
    if (dragged) { e.stopPropagation(); e.preventDefault(); dragged = false; }
  }, true);
  function spread() {
    var ids = Object.keys(pointers), a = pointers[ids[0]], b = pointers[ids[1]];
    return Math.max(1, Math.hypot(a[0] - b[0], a[1] - b[1]));
  }
  // The wheel zooms about the pointer (a trackpad pinch arrives as a wheel with ctrlKey).
  box.addEventListener("wheel", function (e) {
    if (!natural) return;
    e.preventDefault();
    var r = box.getBoundingClientRect(), step = e.ctrlKey ? 0.01 : 0.0015;
    setZoom(zoom * Math.exp(-e.deltaY * step), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });

  return { setZoom: setZoom, fit: fit, show: show, zoom: function () { return zoom; },
           has: function () { return !!natural; } };
};
