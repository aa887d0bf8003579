// Easel admin page: queue, failures, plans, members, mappings, API keys and the audit log of one guild.
// Every change goes through the same quota operations as the /plans commands.
"use strict";

const HEADERS = { "X-Easel-Console": "1", "Content-Type": "application/json" };
const $ = (s) => document.querySelector(s);
let lookupUser = null;

function guild() { return $("#guild").value.trim(); }

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (cls) td.className = cls;
  return td;
}

function table(id, headers, rows) {
  const t = $(id);
  t.replaceChildren();
  const head = document.createElement("tr");
  for (const h of headers) {
    const th = document.createElement("th");
    th.textContent = h;
    head.append(th);
  }
  t.append(head);
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    const td = cell("none", "muted");
    td.colSpan = headers.length;
    tr.append(td);
    t.append(tr);
  }
  for (const r of rows) t.append(r);
}

function row(...cells) {
  const tr = document.createElement("tr");
  for (const c of cells) tr.append(c instanceof Node ? c : cell(c));
  return tr;
}

function show(message, good) {
  const r = $("#result");
  r.textContent = message;
  r.className = good ? "good" : "bad";
}

async function call(url, options) {
  const res = await fetch(url, options);
  let body;
  try { body = await res.json(); } catch (e) { body = { error: res.statusText }; }
  if (res.status === 401) { location.href = "/admin"; }
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

function cancelButton(id) {
  const b = document.createElement("button");
  b.textContent = "Cancel";
  b.className = "danger";
  b.addEventListener("click", async () => {
    try {
      const r = await call(`/admin/api/jobs/${id}/cancel`, { method: "POST", headers: HEADERS });
      show(r.message, true);
      loadQueue();
    } catch (e) { show(e.message, false); }
  });
  const td = document.createElement("td");
  td.append(b);
  return td;
}

function jobRow(j, extra) {
  return row(j.id, j.owner + (j.guild ? " @" + j.guild : ""), j.kind, j.private ? "(private)" : j.prompt,
    j.size, j.plan, extra, cancelButton(j.id));
}

async function loadQueue() {
  try {
    const o = await call("/admin/api/overview");
    $("#queue-summary").textContent = `${o.running.length} running, ${o.waitingTotal} waiting`;
    table("#running", ["job", "owner", "kind", "prompt", "size", "plan", "progress", ""],
      o.running.map(j => jobRow(j, j.progress && j.progress.total ? `${j.progress.percent}% (${j.progress.step}/${j.progress.total})`
        : "starting")));
    const waiting = (j) => jobRow(j, j.queue ? `#${j.queue.position}, starts in ~${Math.round(j.queue.etaStartSeconds)} s` : "");
    table("#fast", ["job", "owner", "kind", "prompt", "size", "plan", "position", ""], o.fast.map(waiting));
    table("#relax", ["job", "owner", "kind", "prompt", "size", "plan", "position", ""], o.relax.map(waiting));
    table("#failures", ["job", "owner", "kind", "prompt", "finished", "reason"], o.failures.map(j =>
      row(j.id, j.owner, j.kind, j.private ? "(private)" : j.prompt, new Date(j.finishedAt).toLocaleString(), j.failureReason)));
  } catch (e) { show(e.message, false); }
}

async function loadGuild() {
  try {
    const q = new URLSearchParams();
    if (guild()) q.set("guild", guild());
    if (lookupUser) q.set("user", lookupUser);
    const g = await call("/admin/api/guild?" + q);
    $("#guild").value = g.guild;
    $("#plan-settings").textContent = `default ${g.defaultPlan}, periods: ${g.periods}`;
    $("#field-keys").textContent = g.fieldKeys;
    table("#plans", ["plan", "fields"], g.plans.map(p => row(p.name + (p.name === g.defaultPlan ? " (default)" : ""),
      p.description)));
    table("#members", ["member", "plan", "from", "usage", "running / queued", "private", "assignments"], g.members.map(m =>
      row(m.user, m.plan, m.detail, m.summary, `${m.running} / ${m.queued}`, m.private ? "yes" : "no",
        m.assignments.map(a => a.plan + (a.expiresAt ? " until " + a.expiresAt : "") + (a.active ? "" : " (expired)"))
          .join(", "))));
    const maps = [];
    for (const [role, plan] of Object.entries(g.roles)) maps.push(row("role", role, plan));
    for (const [sku, plan] of Object.entries(g.skus)) maps.push(row("SKU", sku, plan));
    table("#mappings", ["kind", "id", "plan"], maps);
    table("#audit", ["when", "who", "what", "subject", "change"], g.audit.map(a =>
      row(new Date(a.at).toLocaleString(), a.actor, a.action, a.subject, a.change)));
  } catch (e) { show(e.message, false); }
}

async function loadKeys() {
  try {
    const k = await call("/admin/api/keys");
    table("#keys", ["name", "member", "plan", "created", "from", ""], k.keys.map(key => {
      const td = document.createElement("td");
      if (!key.fromConfig) {
        const b = document.createElement("button");
        b.textContent = "Revoke";
        b.className = "danger";
        b.addEventListener("click", async () => {
          try {
            const r = await call(`/admin/api/keys/${key.name}/revoke`, { method: "POST", headers: HEADERS });
            show(r.message, true);
            loadKeys();
          } catch (e) { show(e.message, false); }
        });
        td.append(b);
      }
      return row(key.name, key.user, key.plan || "(guild default)", new Date(key.createdAt).toLocaleString(),
        key.fromConfig ? "easel.yaml" : "admin page", td);
    }));
  } catch (e) { show(e.message, false); }
}

function fieldsOf(text) {
  const fields = {};
  for (const part of text.split(",")) {
    if (!part.trim()) continue;
    const eq = part.indexOf("=");
    if (eq < 0) throw new Error(`fields: write key=value, got "${part.trim()}"`);
    fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return fields;
}

async function operation(form) {
  const body = { guild: guild() };
  for (const input of form.querySelectorAll("input, select")) {
    if (!input.value.trim()) continue;
    if (input.name === "fields") body.fields = fieldsOf(input.value);
    else if (input.name === "images") body.images = Number(input.value);
    else body[input.name] = input.value.trim();
  }
  const r = await call(`/admin/api/quota/${form.dataset.op}`, { method: "POST", headers: HEADERS, body: JSON.stringify(body) });
  show(`${r.subject}: ${r.change}`, true);
  form.reset();
  loadGuild();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-op]")) {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      operation(form).catch(err => show(err.message, false));
    });
  }
  $("#lookup").addEventListener("submit", (e) => {
    e.preventDefault();
    lookupUser = e.target.querySelector("[name=user]").value.trim();
    loadGuild();
  });
  $("#new-key").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    try {
      const name = f.querySelector("[name=name]").value.trim();
      const plan = f.querySelector("[name=plan]").value.trim();
      const body = { name };
      if (plan) body.plan = plan;
      const k = await call("/admin/api/keys", { method: "POST", headers: HEADERS, body: JSON.stringify(body) });
      $("#secret").hidden = false;
      $("#secret").textContent = `Key ${k.name} (shown once, keep it safe): ${k.key}`;
      f.reset();
      loadKeys();
      loadGuild();
    } catch (err) { show(err.message, false); }
  });
  $("#load").addEventListener("click", () => { lookupUser = null; loadGuild(); });
  loadQueue();
  loadGuild();
  loadKeys();
  setInterval(loadQueue, 2000);
});
