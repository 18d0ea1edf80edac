// The explorer's page script: it keeps the list of evidence changes, sends it to the server
// and swaps in the fragments the server renders. It computes no score itself.
"use strict";

const state = { changes: [], statement: null, good: [], shown: null, restoring: false };

function $(sel, root) { return (root || document).querySelector(sel); }
function caseData() { const el = $("#case-data"); return el ? JSON.parse(el.textContent) : null; }

async function post(url, body, type) {
  const headers = { "content-type": type || "application/json" };
  return fetch(url, { method: "POST", headers, body: type ? body : JSON.stringify(body) });
}

async function problem(resp) {
  try { const j = await resp.json(); return (j.problems || [j.error]).join("\n"); }
  catch (e) { return `${resp.status} ${resp.statusText}`; }
}

function showError(where, text) { const el = $(where); if (el) el.textContent = text || ""; }

function unmark(el) {
  const t = el.querySelector(".t");
  if (t && t.querySelector("mark")) t.textContent = t.textContent;
}

function markQuote(el, quote, polarity) {
  // the quoted sentence highlighted within its paragraph (where the line holds it verbatim)
  const t = el.querySelector(".t");
  if (!t || !quote) return;
  for (const node of Array.from(t.childNodes)) {
    if (node.nodeType !== Node.TEXT_NODE) continue;
    const at = node.textContent.indexOf(quote);
    if (at < 0) continue;
    const rest = node.splitText(at);
    rest.splitText(quote.length);
    const mark = document.createElement("mark");
    mark.className = polarity;
    rest.replaceWith(mark);
    mark.appendChild(rest);
    return;
  }
}

function highlight(marks) {
  document.querySelectorAll("#report .line").forEach((el) => {
    el.classList.remove("cited", "strength", "shortfall", "mixed");
    delete el.dataset.items;
    unmark(el);
  });
  for (const [key, m] of Object.entries(marks)) {
    const el = document.getElementById(key);
    if (!el) continue;
    el.classList.add("cited", m.polarity);
    el.dataset.items = m.items.join(" ");
    el.dataset.statement = m.statement;
    el.title = `${m.items.length} finding${m.items.length === 1 ? "" : "s"} (${m.polarity})`;
    (m.quotes || []).forEach((q) => markQuote(el, q.quote, q.polarity));
  }
}

function placeTake() {
  // "What would it take?" sits under the statement table, kept (with its results) across refreshes
  const take = $("#take");
  const slot = $("#take-slot");
  if (take && slot) slot.replaceWith(take);
}

async function refresh(then) {
  const data = caseData();
  const resp = await post(`/cases/${encodeURIComponent(data.id)}/panel`, { changes: state.changes, statement: state.statement });
  if (!resp.ok) {
    const why = await problem(resp);
    state.changes = state.good.slice();
    showError("#panel-error", `not applied: ${why}`);
    return;
  }
  const before = state.shown;
  const take = $("#take");
  if (take) $("#work").appendChild(take);  // out of the panel before it is replaced
  $("#panel").innerHTML = await resp.text();
  placeTake();
  markStaleSets();
  const panel = JSON.parse($("#panel-data").textContent);
  state.good = state.changes.slice();
  state.shown = panel.statement;
  remember();
  highlight(panel.marks);
  if (panel.statement && panel.statement !== before && !then) showFirstLine();
  document.body.dataset.changes = String(state.changes.length);
  if (then) then();
}

// The address holds the chosen statement and the changes (reload, back and a shared link keep
// the work): #s=STATEMENT&c=CHANGES, the changes as URI-encoded JSON.
function addressOf(st) {
  const parts = [];
  if (st.statement) parts.push(`s=${encodeURIComponent(st.statement)}`);
  if (st.changes.length) parts.push(`c=${encodeURIComponent(JSON.stringify(st.changes))}`);
  return parts.length ? `#${parts.join("&")}` : window.location.pathname;
}

function remember() {
  const want = addressOf(state);
  const now = window.location.hash ? window.location.hash : window.location.pathname;
  if (want !== now && !state.restoring) history.pushState(null, "", want);
  state.restoring = false;
}

function fromAddress() {
  const out = { statement: null, changes: [] };
  for (const part of window.location.hash.replace(/^#/, "").split("&")) {
    const [k, v] = part.split("=");
    if (!v) continue;
    try {
      if (k === "s") out.statement = decodeURIComponent(v);
      if (k === "c") out.changes = JSON.parse(decodeURIComponent(v));
    } catch (e) { /* an address that does not parse: the case as it is */ }
  }
  return out;
}

function restore() {
  const got = fromAddress();
  if (!got.statement && !got.changes.length && !state.changes.length) return false;
  state.changes = Array.isArray(got.changes) ? got.changes : [];
  state.statement = got.statement || state.statement;
  state.restoring = true;
  refresh();
  return true;
}

function showFirstLine() {
  // the report follows the chosen statement: its first cited line comes into view
  const first = $("#detail .item[data-key]");
  const line = first && document.getElementById(first.dataset.key);
  const report = $("#report");
  if (line && report) report.scrollTop = line.offsetTop - report.offsetTop - 80;
}

function flash(el) {
  if (!el) return;
  el.scrollIntoView({ block: "center" });
  el.classList.add("flash");
  setTimeout(() => el.classList.remove("flash"), 1200);
}

function download(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

async function fetchFile(url, body, fallback) {
  const resp = await post(url, body);
  if (!resp.ok) { showError("#panel-error", await problem(resp)); return; }
  const name = (resp.headers.get("content-disposition") || "").match(/filename="([^"]+)"/);
  download(await resp.blob(), name ? name[1] : fallback);
}

function addChanges(list) { state.changes = state.changes.concat(list); refresh(); }

function nextAddedId() {
  const used = new Set();
  document.querySelectorAll("[data-item]").forEach((el) => used.add(el.dataset.item));
  state.changes.forEach((c) => (c.items || []).forEach((i) => used.add(i.id)));
  let n = 1;
  while (used.has(`added-${n}`)) n += 1;
  return `added-${n}`;
}

async function openAdd(line) {
  const data = caseData();
  const key = line.dataset.key;
  const resp = await fetch(`/cases/${encodeURIComponent(data.id)}/sentences?line=${encodeURIComponent(key)}`);
  const sentences = resp.ok ? await resp.json() : [line.querySelector(".t").textContent.trim()];
  $("#add-line").textContent = line.dataset.line;
  const box = $("#add-sentences");
  box.querySelectorAll("label").forEach((l) => l.remove());
  sentences.forEach((s, i) => {
    const label = document.createElement("label");
    const radio = document.createElement("input");
    radio.type = "radio"; radio.name = "sentence"; radio.value = s; radio.checked = i === 0;
    label.append(radio, " ", s);
    box.append(label);
  });
  if (state.statement) $("#add-statement").value = state.statement;
  $("#add-dialog").showModal();
}

function confirmAdd() {
  const picked = $('#add-sentences input[name="sentence"]:checked');
  if (!picked) return;
  const item = { id: nextAddedId(), statement: $("#add-statement").value, category: $("#add-category").value,
    polarity: $("#add-polarity").value, quote: picked.value };
  state.statement = item.statement;
  addChanges([{ op: "add", items: [item] }]);
}

function takeQuery(first) {
  return { target: $("#take-target").value, max_changes: Number($("#take-max").value), changes: state.changes,
    max_sets: 10, first: first || 0 };
}

async function take(event) {
  if (event) event.preventDefault();
  const data = caseData();
  const out = $("#take-result");
  out.textContent = "searching…";
  const query = takeQuery(0);
  const resp = await post(`/cases/${encodeURIComponent(data.id)}/take`, query);
  if (!resp.ok) { out.textContent = await problem(resp); return; }
  out.innerHTML = await resp.text();
  out.dataset.changes = JSON.stringify(query.changes);
}

function markStaleSets() {
  // sets searched from the case before the latest changes no longer start from it
  const out = $("#take-result");
  if (!out || out.dataset.changes === undefined || out.dataset.changes === JSON.stringify(state.changes)) return;
  delete out.dataset.changes;
  out.innerHTML = "";
  const note = document.createElement("p");
  note.className = "meta stale";
  note.textContent = "The evidence has changed since this search: search again to start from the case as it now stands.";
  out.appendChild(note);
}

async function moreSets(button) {
  // the next ten sets, in the same ranking, appended to those shown
  const data = caseData();
  button.disabled = true;
  const resp = await post(`/cases/${encodeURIComponent(data.id)}/take`, takeQuery(Number(button.dataset.first)));
  if (!resp.ok) { button.disabled = false; showError("#panel-error", await problem(resp)); return; }
  const got = document.createElement("div");
  got.innerHTML = await resp.text();
  const list = $("#take-result ol.sets:not(#closest)");
  got.querySelectorAll("ol.sets > li").forEach((li) => list.appendChild(li));
  $("#take-result .more-sets").replaceWith(got.querySelector(".more-sets"));
}

async function loadScenario(input) {
  const file = input.files[0];
  if (!file) return;
  const data = caseData();
  const resp = await post(`/cases/${encodeURIComponent(data.id)}/scenario/read?name=${encodeURIComponent(file.name)}`,
    await file.text(), "application/yaml");
  input.value = "";
  if (!resp.ok) { showError("#panel-error", await problem(resp)); return; }
  state.changes = (await resp.json()).changes;
  refresh();
}

function onClick(event) {
  const t = event.target;
  const data = caseData();
  if (!data) return;
  const pick = t.closest(".pick");
  if (pick) { state.statement = pick.dataset.statement; refresh(); return; }
  const act = t.closest(".act");
  if (act) { addChanges(JSON.parse(act.dataset.changes)); return; }
  const more = t.closest("#take-result .more");
  if (more) { moreSets(more); return; }
  const bound = t.closest("#take-result .bound");
  if (bound) { $("#take-max").value = bound.dataset.max; take(); return; }
  const undo = t.closest(".undo");
  if (undo) { state.changes.splice(Number(undo.dataset.index), 1); refresh(); return; }
  if (t.closest("#reset")) { state.changes = []; refresh(); return; }
  if (t.closest("#download-scenario")) {
    fetchFile(`/cases/${encodeURIComponent(data.id)}/scenario.yaml`, { changes: state.changes }, "scenario.yaml");
    return;
  }
  if (t.closest("#save-labels")) { saveLabels(data.id); return; }
  const brief = t.closest(".brief");
  if (brief) {
    fetchFile(`/cases/${encodeURIComponent(data.id)}/brief.${brief.dataset.kind}`, { changes: state.changes }, "brief");
    return;
  }
  const go = t.closest(".goto");
  if (go) { event.preventDefault(); flash(document.getElementById(go.dataset.key)); return; }
  const line = t.closest("#report .line");
  if (line) {
    if (line.dataset.items) {
      const first = line.dataset.items.split(" ")[0];
      state.statement = line.dataset.statement;
      refresh(() => flash(document.getElementById(`item-${first}`)));
    } else {
      openAdd(line);
    }
  }
}

async function saveLabels(id) {
  const resp = await fetch(`/api/cases/${encodeURIComponent(id)}/labels`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "corrections", changes: state.changes }),
  });
  if (!resp.ok) { showError("#panel-error", await problem(resp)); return; }
  const got = await resp.json();
  showError("#panel-error", `kept ${got.rows.length} correction(s) as labels in the workspace's ${got.written} (${got.total} in all)`);
}

function onChange(event) {
  const t = event.target;
  if (t.matches("select.move") && t.value) {
    addChanges([{ op: "set", item: t.dataset.item, field: "category", value: t.value }]);
  } else if (t.matches("#load-scenario")) {
    loadScenario(t);
  }
}

async function upload(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  showError("#upload-error", "reading…");
  const resp = await fetch("/api/extract", { method: "POST", body: form });
  if (!resp.ok) { showError("#upload-error", await problem(resp)); return; }
  const made = await resp.json();
  window.location.href = `/cases/${encodeURIComponent(made.id)}`;
}

function sortable(table) {
  // a click on a heading sorts the rows by that column (numbers as numbers), again to reverse
  table.querySelectorAll("tr:first-child th").forEach((th, col) => {
    th.style.cursor = "pointer";
    th.title = "sort by this column";
    th.addEventListener("click", () => {
      const rows = Array.from(table.querySelectorAll("tr")).slice(1);
      const key = (r) => { const t = r.children[col].textContent.trim(); const n = parseFloat(t); return Number.isNaN(n) ? t : n; };
      const dir = th.dataset.dir === "asc" ? -1 : 1;
      th.dataset.dir = dir === 1 ? "asc" : "desc";
      rows.sort((a, b) => { const x = key(a), y = key(b); return (x > y ? 1 : x < y ? -1 : 0) * dir; });
      rows.forEach((r) => r.parentNode.appendChild(r));
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.sortable").forEach(sortable);
  document.addEventListener("click", onClick);
  document.addEventListener("change", onChange);
  const up = $("#upload");
  if (up) up.addEventListener("submit", upload);
  const tf = $("#take-form");
  if (tf) tf.addEventListener("submit", take);
  const add = $("#add-form");
  if (add) add.addEventListener("submit", (e) => { if (e.submitter && e.submitter.value === "add") confirmAdd(); });
  const panel = $("#panel-data");
  if (panel) {
    const p = JSON.parse(panel.textContent);
    state.statement = p.statement;
    state.shown = p.statement;
    highlight(p.marks);
    placeTake();
    document.body.dataset.changes = "0";
    window.addEventListener("popstate", restore);
    window.addEventListener("beforeunload", (e) => {
      if (state.changes.length) { e.preventDefault(); e.returnValue = ""; }  // leaving asks first
    });
    if (window.location.hash) restore();
  }
  document.body.dataset.ready = "1";
});
