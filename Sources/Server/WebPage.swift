/// The web page at `/`: one HTML document, its script and its style, all served from this binary
/// (the content security policy allows nothing from other origins). Text from the server is always
/// inserted as text, never as HTML.
enum WebPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AtlasQA</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<header class="top">
  <div class="brand"><span class="logo" aria-hidden="true">◎</span> AtlasQA <span class="sub">pathology atlas Q&amp;A · 病理图谱问答</span></div>
  <div class="status" id="status" role="status">checking the index…</div>
  <details class="settings">
    <summary>API key</summary>
    <label for="api-key">Key (only needed when the server requires one)</label>
    <input id="api-key" type="password" autocomplete="off" placeholder="atlasqa_…">
  </details>
</header>
<main class="layout">
  <section class="ask" aria-label="Question">
    <div id="thread" class="thread" aria-live="polite"></div>
    <form id="ask-form" class="composer">
      <div id="drop" class="drop" tabindex="0" aria-label="Image: drop, paste or choose a PNG or JPEG">
        <img id="preview" alt="" hidden>
        <div id="drop-hint" class="drop-hint">Drop or paste an H&amp;E image here, or <label class="link" for="file">choose a file</label><br><span class="zh">拖放或粘贴图像</span></div>
        <button type="button" id="clear-image" class="ghost" hidden>Remove image</button>
        <input id="file" type="file" accept="image/png,image/jpeg" hidden>
      </div>
      <textarea id="question" rows="3" placeholder="Ask about the image, in English or Chinese — e.g. “What features suggest DCIS?” / “这些细胞有什么特点？”"></textarea>
      <div class="actions">
        <button type="submit" id="ask-button">Ask</button>
        <button type="button" id="new-conversation" class="ghost">New conversation</button>
        <span id="conversation-label" class="muted"></span>
      </div>
      <p id="form-error" class="error" role="alert" hidden></p>
    </form>
    <p class="disclaimer">Reference material to support a pathologist: it suggests and cites atlas passages; it does not diagnose.</p>
  </section>
  <aside class="refs" aria-label="References">
    <h2>References</h2>
    <p id="refs-empty" class="muted">The passages an answer cites appear here, with their scores and the matched atlas image.</p>
    <ol id="refs" class="ref-list"></ol>
  </aside>
</main>
</body>
</html>
"""#

    static let style = #"""
:root { --ink:#1d2430; --muted:#5b6675; --line:#dde2ea; --bg:#f6f7fa; --card:#fff; --accent:#7a2e6e; --accent-soft:#f3e6f0;
  --strong:#1f7a3a; --moderate:#8a6d00; --weak:#b45309; --none:#6b7280;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); line-height:1.5; font-size:16px; }
.top { display:flex; flex-wrap:wrap; align-items:center; gap:.75rem 1.5rem; padding:.75rem 1.25rem; background:var(--card); border-bottom:1px solid var(--line); }
.brand { font-weight:700; font-size:1.15rem; } .brand .sub { font-weight:400; color:var(--muted); font-size:.9rem; margin-left:.4rem; }
.logo { color:var(--accent); }
.status { color:var(--muted); font-size:.9rem; flex:1; }
.settings summary { cursor:pointer; color:var(--accent); }
.settings label { display:block; font-size:.8rem; color:var(--muted); margin-top:.4rem; }
.settings input { width:min(22rem, 80vw); padding:.4rem .5rem; border:1px solid var(--line); border-radius:6px; font:inherit; }
.layout { display:grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap:1.25rem; padding:1.25rem; max-width:1400px; margin:0 auto; }
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; padding:.75rem; } }
.thread { display:flex; flex-direction:column; gap:1rem; margin-bottom:1rem; }
.turn { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:1rem 1.1rem; }
.turn .q { font-weight:600; display:flex; gap:.75rem; align-items:flex-start; }
.turn .q img { width:64px; height:64px; object-fit:cover; border-radius:6px; border:1px solid var(--line); }
.turn .a { margin-top:.6rem; white-space:pre-wrap; }
.turn .a a.cite { color:var(--accent); font-weight:600; text-decoration:none; padding:0 .1rem; border-radius:3px; }
.turn .a a.cite:hover, .turn .a a.cite:focus { background:var(--accent-soft); }
.meta { margin-top:.6rem; display:flex; flex-wrap:wrap; gap:.5rem; align-items:center; font-size:.85rem; color:var(--muted); }
.support { font-weight:600; padding:.1rem .55rem; border-radius:999px; color:#fff; }
.support.strong { background:var(--strong); } .support.moderate { background:var(--moderate); }
.support.weak { background:var(--weak); } .support.none { background:var(--none); }
.composer { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:1rem; display:flex; flex-direction:column; gap:.75rem; }
.drop { border:2px dashed var(--line); border-radius:8px; padding:1rem; text-align:center; color:var(--muted); position:relative; }
.drop.over { border-color:var(--accent); background:var(--accent-soft); }
.drop img { max-width:100%; max-height:220px; border-radius:6px; display:block; margin:0 auto .5rem; }
.link { color:var(--accent); text-decoration:underline; cursor:pointer; }
textarea { width:100%; font:inherit; padding:.6rem .7rem; border:1px solid var(--line); border-radius:8px; resize:vertical; }
textarea:focus, input:focus, button:focus-visible, .drop:focus { outline:2px solid var(--accent); outline-offset:1px; }
.actions { display:flex; flex-wrap:wrap; gap:.6rem; align-items:center; }
button { font:inherit; padding:.5rem 1.1rem; border-radius:8px; border:1px solid var(--accent); background:var(--accent); color:#fff; cursor:pointer; }
button.ghost { background:transparent; color:var(--accent); }
button:disabled { opacity:.55; cursor:progress; }
.muted { color:var(--muted); font-size:.9rem; }
.error { color:#b91c1c; margin:0; }
.disclaimer { color:var(--muted); font-size:.85rem; }
.refs h2 { margin:.2rem 0 .6rem; font-size:1.1rem; }
.ref-list { list-style:none; padding:0; margin:0; display:flex; flex-direction:column; gap:.75rem; }
.ref { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:.8rem .9rem; scroll-margin-top:1rem; }
.ref.flash { box-shadow:0 0 0 3px var(--accent); }
.ref .title { font-weight:600; } .ref .n { color:var(--accent); font-weight:700; margin-right:.35rem; }
.ref .heading { color:var(--muted); font-size:.9rem; }
.ref .text { font-size:.92rem; margin:.4rem 0; max-height:9.5em; overflow:auto; }
.ref .source { font-size:.8rem; color:var(--muted); }
.scores { display:flex; flex-wrap:wrap; gap:.35rem; margin-top:.4rem; }
.score { font-size:.78rem; background:var(--bg); border:1px solid var(--line); border-radius:5px; padding:.05rem .4rem; font-variant-numeric:tabular-nums; }
.thumb { position:relative; display:inline-block; margin-top:.5rem; max-width:100%; }
.thumb img { display:block; max-width:100%; max-height:240px; border-radius:6px; border:1px solid var(--line); }
.thumb .tile { position:absolute; border:2px solid #facc15; box-shadow:0 0 0 1px #000a; pointer-events:none; }
.thumb figcaption { font-size:.78rem; color:var(--muted); }
"""#

    static let script = #"""
"use strict";
(() => {
  const $ = (s) => document.querySelector(s);
  const keyInput = $("#api-key");
  keyInput.value = sessionStorage.getItem("atlasqa-key") || "";
  keyInput.addEventListener("change", () => { sessionStorage.setItem("atlasqa-key", keyInput.value.trim()); checkHealth(); });
  const auth = () => { const k = keyInput.value.trim(); return k ? { Authorization: "Bearer " + k } : {}; };

  let image = null, imageURL = null, conversation = null, turnCount = 0;
  const thumbs = new Map();

  async function checkHealth() {
    try {
      const r = await fetch("/health");
      const h = await r.json();
      $("#status").textContent = r.ok
        ? `Atlas ready: ${h.counts.entries} entries, ${h.counts.passages} passages, ${h.counts.images} images`
        : "The atlas index is loading…";
      if (!r.ok) setTimeout(checkHealth, 1500);
    } catch (e) { $("#status").textContent = "Cannot reach the server."; }
  }
  checkHealth();

  function setImage(file) {
    if (!file) return;
    if (!/^image\/(png|jpeg)$/.test(file.type)) { showError("Please use a PNG or JPEG image."); return; }
    image = file;
    if (imageURL) URL.revokeObjectURL(imageURL);
    imageURL = URL.createObjectURL(file);
    $("#preview").src = imageURL; $("#preview").hidden = false;
    $("#clear-image").hidden = false; $("#drop-hint").hidden = true; showError("");
  }
  function clearImage() {
    image = null; imageURL = null; $("#preview").hidden = true; $("#preview").removeAttribute("src");
    $("#clear-image").hidden = true; $("#drop-hint").hidden = false; $("#file").value = "";
  }
  const drop = $("#drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); setImage(e.dataTransfer.files[0]); });
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("#file").click(); } });
  $("#file").addEventListener("change", (e) => setImage(e.target.files[0]));
  $("#clear-image").addEventListener("click", clearImage);
  document.addEventListener("paste", (e) => {
    for (const item of e.clipboardData ? e.clipboardData.items : []) {
      if (item.kind === "file" && item.type.startsWith("image/")) { setImage(item.getAsFile()); e.preventDefault(); return; }
    }
  });
  $("#new-conversation").addEventListener("click", () => {
    conversation = null; $("#thread").replaceChildren(); $("#conversation-label").textContent = "";
    $("#refs").replaceChildren(); $("#refs-empty").hidden = false;
  });
  $("#question").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); $("#ask-form").requestSubmit(); }
  });

  function showError(text) { const p = $("#form-error"); p.textContent = text; p.hidden = !text; }
  function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }

  const supportWords = {
    strong: "Support: strong — the atlas matches closely",
    moderate: "Support: moderate — related atlas material",
    weak: "Support: weak — only loosely related material",
    none: "Support: none — the atlas does not cover this",
  };

  function addTurn(question, thumbURL) {
    const id = ++turnCount;
    const box = el("article", "turn"); box.id = "turn-" + id;
    const q = el("div", "q");
    if (thumbURL) { const i = el("img"); i.src = thumbURL; i.alt = "your image"; q.append(i); }
    q.append(el("span", "", question || "(image only)"));
    const a = el("div", "a", "…"); a.lang = "";
    const meta = el("div", "meta");
    box.append(q, a, meta);
    $("#thread").append(box);
    box.scrollIntoView({ block: "nearest" });
    return { id, box, a, meta, text: "", references: [] };
  }

  // "[2]" becomes a link to reference 2 of this turn; everything else stays text.
  function renderAnswer(turn, text) {
    turn.a.replaceChildren();
    let last = 0;
    for (const m of text.matchAll(/\[(\d+)\]/g)) {
      turn.a.append(document.createTextNode(text.slice(last, m.index)));
      const n = Number(m[1]);
      const link = el("a", "cite", m[0]); link.href = `#ref-${turn.id}-${n}`;
      link.addEventListener("click", (e) => { e.preventDefault(); showReferences(turn, n); });
      turn.a.append(link);
      last = m.index + m[0].length;
    }
    turn.a.append(document.createTextNode(text.slice(last)));
  }

  function showReferences(turn, focus) {
    const list = $("#refs"); list.replaceChildren();
    $("#refs-empty").hidden = turn.references.length > 0;
    turn.references.forEach((r, i) => list.append(referenceItem(turn, r, i + 1)));
    if (focus) {
      const target = document.getElementById(`ref-${turn.id}-${focus}`);
      if (target) { target.scrollIntoView({ behavior: "smooth", block: "center" }); target.classList.add("flash"); setTimeout(() => target.classList.remove("flash"), 1200); }
    }
  }

  function fmt(v, digits) { return v === null || v === undefined ? "–" : Number(v).toFixed(digits); }

  function referenceItem(turn, r, n) {
    const li = el("li", "ref"); li.id = `ref-${turn.id}-${n}`;
    const title = el("div", "title"); title.append(el("span", "n", `[${n}]`), document.createTextNode(r.title));
    li.append(title);
    li.append(el("div", "heading", [r.heading, r.entry].filter(Boolean).join(" · ")));
    li.append(el("div", "text", r.text));
    li.append(el("div", "source", "Source: " + r.source));
    const scores = el("div", "scores");
    scores.append(el("span", "score", "image " + fmt(r.scores.image, 3)), el("span", "score", "text " + fmt(r.scores.text, 3)),
      el("span", "score", "lexical " + fmt(r.scores.lexical, 2)), el("span", "score", "fused " + fmt(r.scores.fused, 4)));
    li.append(scores);
    if (r.image) li.append(thumbnail(r.entry, r.image));
    return li;
  }

  function thumbnail(entry, match) {
    const fig = el("figure", "thumb");
    const img = el("img"); img.alt = `atlas image ${match.file} of ${entry}`;
    fig.append(img);
    const cap = el("figcaption", "", match.file + (match.tile ? " — best-matching tile outlined" : ""));
    const path = `/v1/entries/${encodeURIComponent(entry)}/images/${match.file.split("/").map(encodeURIComponent).join("/")}`;
    const place = () => {
      if (!match.tile || !img.naturalWidth) return;
      const [x, y, w, h] = match.tile, box = el("div", "tile");
      box.style.left = (100 * x / img.naturalWidth) + "%"; box.style.top = (100 * y / img.naturalHeight) + "%";
      box.style.width = (100 * w / img.naturalWidth) + "%"; box.style.height = (100 * h / img.naturalHeight) + "%";
      fig.append(box);
    };
    img.addEventListener("load", place);
    const cached = thumbs.get(path);
    (cached ? Promise.resolve(cached) : fetch(path, { headers: auth() }).then((r) => {
      if (!r.ok) throw new Error("image " + r.status);
      return r.blob();
    }).then((b) => { const u = URL.createObjectURL(b); thumbs.set(path, u); return u; }))
      .then((u) => { img.src = u; }).catch(() => { cap.textContent = match.file + " (could not load)"; });
    const wrap = el("div"); wrap.append(fig, cap);
    return wrap;
  }

  // Server-sent events over fetch: blocks separated by a blank line, "event:" and "data:" lines.
  async function readEvents(body, onEvent) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
        let name = "message"; const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      }
    }
  }

  $("#ask-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const question = $("#question").value.trim();
    if (!question && !image) { showError("Type a question or add an image."); return; }
    showError("");
    const form = new FormData();
    form.append("question", question);
    if (image) form.append("image", image, image.name || "pasted.png");
    if (conversation) form.append("conversation", conversation);
    form.append("stream", "true");
    const turn = addTurn(question, imageURL);
    const button = $("#ask-button"); button.disabled = true; button.textContent = "Asking…";
    try {
      const response = await fetch("/v1/ask", { method: "POST", headers: auth(), body: form });
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        const wait = response.headers.get("Retry-After");
        throw new Error((body && body.error ? body.error.message : response.statusText) + (wait ? ` (try again in ${wait} s)` : ""));
      }
      turn.a.textContent = "";
      await readEvents(response.body, (name, data) => {
        if (name === "references") {
          turn.references = data.references; showReferences(turn);
        } else if (name === "reset") {
          turn.text = ""; turn.a.textContent = "";
        } else if (name === "delta") {
          turn.text += data.text; turn.a.textContent = turn.text;
        } else if (name === "done") {
          turn.references = data.references; renderAnswer(turn, data.answer); showReferences(turn);
          turn.a.lang = data.language === "zh" ? "zh" : "en";
          const badge = el("span", "support " + data.support, supportWords[data.support] || data.support);
          const dec = data.decoder.kind + (data.decoder.model ? " · " + data.decoder.model : "") + (data.decoder.fallback ? " (fell back to extractive)" : "");
          turn.meta.append(badge, el("span", "", "decoder: " + dec), el("span", "", `${Math.round(data.timings_ms.total || 0)} ms`));
          if (data.conversation) { conversation = data.conversation; $("#conversation-label").textContent = "Follow-up questions continue this conversation."; }
        } else if (name === "error") {
          throw new Error(data.error.message);
        }
      });
      $("#question").value = "";
    } catch (err) {
      turn.a.textContent = ""; turn.a.append(el("span", "error", "Error: " + err.message));
    } finally {
      button.disabled = false; button.textContent = "Ask";
    }
  });

  // A link like /?q=… asks that question at once (bookmarks, shared links).
  const linked = new URLSearchParams(location.search).get("q");
  if (linked) { $("#question").value = linked; $("#ask-form").requestSubmit(); }
})();
"""#
}
