// Easel console: a channel of your jobs. Live updates come as server-sent events (/console/events);
// when those are unavailable the page polls /console/api/jobs.
"use strict";

const HEADERS = { "X-Easel-Console": "1" };
const jobs = new Map();          // id -> job JSON from the server
let polling = null;

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
};

function seconds(s) {
  if (s < 1) return "a moment";
  if (s < 90) return Math.round(s) + " s";
  if (s < 5400) return Math.round(s / 60) + " min";
  return (s / 3600).toFixed(1) + " h";
}

function params(job) {
  const p = job.parameters;
  if (!p) return "";
  const parts = [`--seed ${p.seed}`, `--size ${p.width}x${p.height}`, `--steps ${p.steps}`, `--cfg ${p.guidanceScale}`,
    `--sampler ${p.sampler}`];
  if (job.negativePrompt) parts.push(`--no ${job.negativePrompt}`);
  if (p.chaos) parts.push(`--chaos ${p.chaos}`);
  if (p.tile) parts.push("--tile");
  if (p.strength) parts.push(`strength ${p.strength}`);
  return parts.join(" ");
}

function statusLine(job) {
  switch (job.status) {
    case "queued": {
      const q = job.queue;
      return q ? `Waiting to start… position ${q.position}, starts in about ${seconds(q.etaStartSeconds)}`
               : "Waiting to start…";
    }
    case "running": {
      const pr = job.progress;
      return pr && pr.total ? `Making it… ${pr.percent}% (step ${pr.step} of ${pr.total})` : "Starting…";
    }
    case "done": return kindLabel(job) + " done";
    case "failed": return "Failed: " + (job.failureReason || "unknown reason");
    case "cancelled": return "Cancelled";
    default: return job.status;
  }
}

function kindLabel(job) {
  const o = job.origin;
  switch (job.kind) {
    case "upscale": return `Upscaled image #${o && o.index}`;
    case "variation": return `Variations of image #${o && o.index}`;
    case "reroll": return "Re-roll";
    default: return o && o.upload ? "Image to image" : "Grid";
  }
}

function render(job) {
  let card = document.querySelector(`.job[data-id="${job.id}"]`);
  const fresh = !card;
  if (fresh) card = el("div", { class: "job", "data-id": job.id });
  card.dataset.status = job.status;
  card.dataset.kind = job.kind;
  card.replaceChildren();
  const body = el("div", { class: "body" });
  const when = new Date(job.createdAt).toLocaleTimeString();
  body.append(el("div", { class: "head" }, el("span", { class: "name", text: "Easel" }),
    el("span", { class: "when", text: `${when} · ${job.lane} lane${job.private ? " · private" : ""}` })));
  body.append(el("div", { class: "prompt" }, el("b", { text: job.prompt || "(private)" }), " ",
    el("span", { class: "params mono", text: params(job) })));
  body.append(el("div", { class: `status ${job.status}`, text: statusLine(job) }));

  if (job.status === "running" && job.progress) {
    const bar = el("div", { class: "bar" }, el("span"));
    bar.firstChild.style.width = (job.progress.percent || 0) + "%";
    body.append(bar);
    if (job.progress.preview) {
      body.append(el("div", { class: "media" }, el("img", { class: "preview", src: job.progress.preview, alt: "preview" })));
    }
  }
  if (job.status === "queued" || job.status === "running") {
    const stop = el("button", { class: "danger cancel", type: "button", text: "Cancel" });
    stop.addEventListener("click", () => cancel(job.id, stop));
    body.append(el("div", { class: "rows" }, el("div", { class: "row" }, stop)));
  }
  if (job.status === "done") {
    const main = job.grid || job.images[0];
    if (main) {
      body.append(el("div", { class: "media" }, el("img", {
        class: job.grid ? "grid-image result" : "single-image result", src: main.url,
        alt: job.prompt || "result", "data-kind": job.kind })));
    }
    const rows = el("div", { class: "rows" });
    for (const row of job.buttons) {
      const r = el("div", { class: "row" });
      for (const b of row) {
        const button = el("button", { type: "button", "data-custom-id": b.id, text: b.label,
          title: b.action.replace("_", " ") });
        button.addEventListener("click", () => press(b.id, button));
        r.append(button);
      }
      rows.append(r);
    }
    body.append(rows);
    const dl = el("div", { class: "downloads" }, "Download (PNG with parameters):");
    for (const img of job.images) {
      dl.append(el("a", { href: img.download, text: job.images.length > 1 ? `#${img.index}` : "image",
        title: `seed ${img.seed}` }));
    }
    if (job.grid) dl.append(el("a", { href: job.grid.download, text: "grid" }));
    body.append(dl);
  }
  card.append(el("div", { class: "avatar", text: "E" }), body);
  if (fresh) place(card, job);
}

function place(card, job) {
  const list = $("#messages");
  $("#empty").hidden = true;
  const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
  // Oldest first, like a channel.
  const after = [...list.querySelectorAll(".job")].find(c => jobs.get(c.dataset.id) &&
      jobs.get(c.dataset.id).createdAt > job.createdAt);
  list.insertBefore(card, after || null);
  if (stick) list.scrollTop = list.scrollHeight;
}

function update(job) {
  jobs.set(job.id, job);
  render(job);
}

function say(message) {
  const list = $("#messages");
  list.append(el("div", { class: "ephemeral" }, message, el("small", { text: "Only you can see this." })));
  list.scrollTop = list.scrollHeight;
}

async function call(url, options) {
  const res = await fetch(url, options);
  let body = null;
  try { body = await res.json(); } catch (e) { body = { error: res.statusText }; }
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

async function submit(event) {
  event.preventDefault();
  const prompt = $("#prompt").value.trim();
  if (!prompt) return;
  const file = $("#image").files[0];
  const send = $("#send");
  send.disabled = true;
  try {
    let job;
    if (file) {
      const form = new FormData();
      form.append("prompt", prompt);
      form.append("image", file);
      if ($("#strength").value) form.append("strength", $("#strength").value);
      job = await call("/console/api/imagine", { method: "POST", headers: HEADERS, body: form });
    } else {
      job = await call("/console/api/imagine", { method: "POST",
        headers: { ...HEADERS, "Content-Type": "application/json" }, body: JSON.stringify({ prompt }) });
    }
    update(job);
    $("#prompt").value = "";
    $("#image").value = "";
    imageChosen();
    $("#messages").scrollTop = $("#messages").scrollHeight;
    refreshMe();
  } catch (e) {
    say(e.message);
  } finally {
    send.disabled = false;
  }
}

async function press(customId, button) {
  button.disabled = true;
  try {
    const job = await call("/console/api/press", { method: "POST",
      headers: { ...HEADERS, "Content-Type": "application/json" }, body: JSON.stringify({ customId }) });
    update(job);
    $("#messages").scrollTop = $("#messages").scrollHeight;
    refreshMe();
  } catch (e) {
    say(e.message);
  } finally {
    button.disabled = false;
  }
}

async function cancel(id, button) {
  button.disabled = true;
  try {
    await call(`/console/api/jobs/${id}/cancel`, { method: "POST", headers: HEADERS });
  } catch (e) {
    say(e.message);
  }
}

function imageChosen() {
  const file = $("#image").files[0];
  $("#image-name").hidden = !file;
  $("#image-name").textContent = file ? file.name : "";
  $("#strength").hidden = !file;
}

async function refreshMe() {
  try {
    const me = await call("/console/api/me");
    $("#who").textContent = `${me.user} · ${me.planName} plan`;
    $("#usage").textContent = me.summary;
    $("#private-box").hidden = !me.privateAvailable;
    $("#private").checked = me.privateOn;
    $("#hint").textContent = `Parameters: ${me.parameters}. Defaults: ${me.defaults.size}, ${me.defaults.steps} steps, ` +
      `${me.defaults.sampler}, model ${me.defaults.model}.`;
  } catch (e) {
    $("#who").textContent = e.message;
  }
}

async function togglePrivate() {
  try {
    await call("/console/api/private", { method: "POST", headers: { ...HEADERS, "Content-Type": "application/json" },
      body: JSON.stringify({ on: $("#private").checked }) });
  } catch (e) {
    say(e.message);
  }
  refreshMe();
}

async function loadAll() {
  const { jobs: list } = await call("/console/api/jobs?limit=20");
  list.reverse().forEach(update);
}

function listen() {
  const source = new EventSource("/console/events");
  source.addEventListener("job", (e) => update(JSON.parse(e.data)));
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED && !polling) {
      // Refused (too many streams): poll for a while, then try live updates again.
      polling = setInterval(() => loadAll().catch(() => {}), 1500);
      setTimeout(() => { clearInterval(polling); polling = null; listen(); }, 30000);
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  $("#composer").addEventListener("submit", submit);
  $("#private").addEventListener("change", togglePrivate);
  $("#image").addEventListener("change", imageChosen);
  refreshMe();
  loadAll().catch((e) => say(e.message)).finally(listen);
});
