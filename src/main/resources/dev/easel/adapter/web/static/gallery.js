// Easel public gallery: recent public results (never private ones) with prompt, seed and parameters.
"use strict";

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

async function load() {
  const res = await fetch("/gallery/api/recent");
  const body = await res.json();
  const cards = document.getElementById("cards");
  if (!res.ok) {
    cards.replaceChildren(el("p", "bad", body.error));
    return;
  }
  cards.replaceChildren();
  document.getElementById("empty").hidden = body.jobs.length > 0;
  for (const job of body.jobs) {
    const main = job.grid || job.images[0];
    if (!main) continue;
    const p = job.parameters;
    const card = el("div", "card");
    card.dataset.id = job.id;
    const a = document.createElement("a");
    a.href = main.url;
    const img = document.createElement("img");
    img.src = main.url;
    img.alt = job.prompt;
    img.loading = "lazy";
    a.append(img);
    const info = el("div", "info");
    info.append(el("div", "p", job.prompt));
    if (job.negativePrompt) info.append(el("div", "meta", "--no " + job.negativePrompt));
    info.append(el("div", "meta mono", `seed ${p.seed} · ${p.width}x${p.height} · ${p.steps} steps · cfg ${p.guidanceScale}` +
      ` · ${p.sampler} · ${p.model}${p.strength ? " · strength " + p.strength : ""}`));
    info.append(el("div", "meta", `${job.kind} · ${new Date(job.finishedAt).toLocaleString()}`));
    const dl = el("div", "downloads");
    for (const i of job.images) {
      const link = document.createElement("a");
      link.href = i.download;
      link.textContent = job.images.length > 1 ? `#${i.index}` : "download";
      link.title = `seed ${i.seed}`;
      dl.append(link);
    }
    info.append(dl);
    card.append(a, info);
    cards.append(card);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  load();
  setInterval(load, 15000);
});
