// The interactive process tree of forkcost's report. The data is the
// grouped tree that 'analyze tree' prints, embedded as JSON; only the
// lines that are visible are in the DOM, so a build of thousands of
// processes stays quick.
"use strict";
(function () {
  const trees = JSON.parse(document.getElementById("tree-data").textContent) || [];
  const search = document.getElementById("search");
  const sortSel = document.getElementById("sort");
  const matches = document.getElementById("matches");
  let nextId = 0;
  // Give every line an id and a parent, and remember its place among its
  // siblings (the order of creation).
  function prepare(n, parent, depth) {
    n.id = nextId++;
    n.parent = parent;
    n.depth = depth;
    (n.ch || []).forEach((c, i) => { c.order = i; prepare(c, n, depth + 1); });
  }
  trees.forEach(t => prepare(t.root, null, 0));
  const open = new Set(trees.map(t => t.root.id)); // the roots start open
  let shown = null; // with a search: the ids of matching lines and their ancestors
  let matched = new Set();

  function seconds(s) {
    const a = Math.abs(s);
    if (a === 0) return "0 s";
    if (a >= 1) return s.toFixed(2) + " s";
    const sig = v => Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
    if (a >= 1e-3) return sig(s * 1e3) + " ms";
    if (a >= 1e-6) return sig(s * 1e6) + " us";
    return sig(s * 1e9) + " ns";
  }
  function children(n) {
    const ch = (n.ch || []).slice();
    if (sortSel.value === "saved") ch.sort((a, b) => b.s - a.s || a.order - b.order);
    return ch;
  }
  function cell(tr, text, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }
  function row(n, tbody) {
    const tr = document.createElement("tr");
    tr.className = "row" + (matched.has(n.id) ? " match" : "");
    tr.dataset.id = n.id;
    const proc = document.createElement("td");
    proc.className = "proc";
    proc.style.paddingLeft = (0.4 + 1.2 * n.depth) + "em";
    const tog = document.createElement("span");
    tog.className = "tog";
    tog.textContent = n.ch ? (open.has(n.id) ? "\u25be" : "\u25b8") : "";
    proc.appendChild(tog);
    const comm = document.createElement("span");
    comm.className = "comm";
    comm.textContent = n.n > 1 ? n.c + " x " + n.n : n.c;
    proc.appendChild(comm);
    if (n.p) {
      const pid = document.createElement("span");
      pid.className = "pid";
      pid.textContent = " [" + n.p + "]";
      proc.appendChild(pid);
    }
    if (n.a) proc.title = n.a;
    tr.appendChild(proc);
    cell(tr, n.k);
    cell(tr, n.x, n.f ? "bad" : "");
    cell(tr, n.l, "num");
    cell(tr, seconds(n.s), "num");
    const sh = cell(tr, "", "num share");
    const bar = document.createElement("span");
    bar.className = "sharebar";
    bar.style.width = Math.max(0, Math.min(1, n.sh)) * 4 + "em";
    sh.appendChild(bar);
    sh.appendChild(document.createTextNode((100 * n.sh).toFixed(1) + "%"));
    cell(tr, String(n.cr), "num");
    cell(tr, String(n.el), "num");
    tbody.appendChild(tr);
  }
  function walk(n, tbody) {
    if (shown && !shown.has(n.id)) return;
    row(n, tbody);
    if (open.has(n.id)) children(n).forEach(c => walk(c, tbody));
  }
  function render() {
    document.querySelectorAll("table.tree").forEach(table => {
      const t = trees[Number(table.dataset.tree)];
      const tbody = table.querySelector("tbody");
      const fresh = document.createElement("tbody");
      walk(t.root, fresh);
      table.replaceChild(fresh, tbody);
    });
  }
  const byId = new Map();
  function index(n) { byId.set(n.id, n); (n.ch || []).forEach(index); }
  trees.forEach(t => index(t.root));

  function applySearch() {
    const q = search.value.trim().toLowerCase();
    matched = new Set();
    if (!q) {
      shown = null;
      matches.textContent = "";
      render();
      return;
    }
    shown = new Set();
    byId.forEach(n => {
      if (n.c.toLowerCase().includes(q)) {
        matched.add(n.id);
        for (let a = n; a; a = a.parent) {
          shown.add(a.id);
          if (a !== n) open.add(a.id);
        }
      }
    });
    let procs = 0;
    matched.forEach(id => { procs += byId.get(id).n; });
    matches.textContent = matched.size + " lines (" + procs + " processes) match";
    render();
  }
  document.addEventListener("click", ev => {
    const tr = ev.target.closest("table.tree tr.row");
    if (!tr) return;
    const n = byId.get(Number(tr.dataset.id));
    if (!n.ch) return;
    if (open.has(n.id)) open.delete(n.id); else open.add(n.id);
    render();
  });
  search.addEventListener("input", applySearch);
  sortSel.addEventListener("change", render);
  document.getElementById("expand-all").addEventListener("click", () => { byId.forEach(n => { if (n.ch) open.add(n.id); }); render(); });
  document.getElementById("collapse-all").addEventListener("click", () => { open.clear(); trees.forEach(t => open.add(t.root.id)); render(); });
  render();
})();
