// Boot: Pyodide + this project's engine/nn from chainrule.zip, Graphviz (wasm), URL state.
// All maths runs in Python; this file and the others only draw and wire the controls.
"use strict";
const CR = { ready: false, py: null, viz: null, state: {}, locked: new Set() };
window.chainrule = CR;
const $ = (id) => document.getElementById(id);

CR.status = (text) => { $("status").textContent = text; };

// Parse "#k=v&k=v" into CR.state; "lock=a,b" lists knobs a teacher locked.
CR.readURL = () => {
  const params = new URLSearchParams(location.hash.slice(1));
  CR.state = Object.fromEntries(params.entries());
  CR.locked = new Set((CR.state.lock || "").split(",").filter(Boolean));
};
CR.writeURL = () => {
  const params = new URLSearchParams(CR.state);
  history.replaceState(null, "", "#" + params.toString());
};
CR.set = (key, value) => { CR.state[key] = String(value); CR.writeURL(); };

CR.render = async (dot, target) => {
  const svg = CR.viz.renderSVGElement(dot);
  target.replaceChildren(svg);
  return svg;
};

CR.showTab = (name) => {
  for (const b of document.querySelectorAll("button.tab")) b.classList.toggle("active", b.dataset.tab === name);
  $("lab").hidden = name !== "lab";
  $("trainer").hidden = name !== "trainer";
  CR.set("tab", name);
};

// run(source): Python in the page; resolves to repr() of the last expression.
CR.run = async (source) => {
  while (!CR.ready) await new Promise((r) => setTimeout(r, 50));
  return CR.py.globals.get("_run")(source);
};

async function boot() {
  const t0 = performance.now();
  CR.readURL();
  const [py, viz, zip] = await Promise.all([
    loadPyodide({ indexURL: new URL("pyodide/", location.href).href }),
    Viz.instance(),
    fetch("chainrule.zip").then((r) => r.arrayBuffer()),
  ]);
  py.unpackArchive(zip, "zip", { extractDir: "/home/pyodide/chainrule" });
  py.runPython(`
import sys
sys.path.insert(0, "/home/pyodide/chainrule")
import engine, nn, playground_api
from pyodide.code import eval_code
_shell = {"engine": engine, "nn": nn, "Value": engine.Value}
def _run(source):
    return repr(eval_code(source, _shell))
`);
  CR.py = py; CR.viz = viz;
  CR.api = py.pyimport("playground_api");
  for (const b of document.querySelectorAll("button.tab")) b.onclick = () => CR.showTab(b.dataset.tab);
  $("share").onclick = async () => {
    CR.writeURL();
    try { await navigator.clipboard.writeText(location.href); CR.status("link copied"); }
    catch (e) { CR.status("copy the address bar to share"); }
  };
  await window.Lab.init();
  await window.Trainer.init();
  CR.showTab(CR.state.tab === "trainer" ? "trainer" : "lab");
  for (const key of CR.locked) { const el = document.querySelector(`[data-knob="${key}"]`); if (el) el.disabled = true; }
  CR.readyMs = performance.now() - t0;
  CR.ready = true;
  CR.status(`ready in ${(CR.readyMs / 1000).toFixed(1)} s · Python ${py.version}`);
}
window.addEventListener("load", () => boot().catch((e) => { CR.status("failed: " + e); console.error(e); }));
