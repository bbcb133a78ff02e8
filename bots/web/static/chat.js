// The web chat page. Plain browser JavaScript: no framework, no build step, no CDN.
//
// Who the consumer is lives in an HttpOnly cookie the server set: this page never names
// itself, so nothing here can claim to be someone else.
(() => {
  "use strict";
  const $ = id => document.getElementById(id);
  const log = $("log");
  const text = $("text");
  const fileInput = $("file");
  const dateInput = $("date");
  const counter = $("counter");
  // How each free-input step takes its answer, from the flow the server walks.
  const STEPS = JSON.parse($("step-inputs").textContent || "{}");
  const UI = {
    "zh-CN": {
      send: "发送", placeholder: "输入消息…", other: "English", otherLang: "en",
      title: "维权 · 消费投诉", skip: "跳到输入框", label: "消息", log: "对话",
      attach: "上传证据（可多选）", sending: "发送中…", failed: "未发送", retry: "重试",
      offline: "网络已断开，恢复后会自动发送。", retrying: "网络错误，正在重试…",
      progress: (n, m) => `第 ${n} 步，共 ${m} 步`, confirm: "确定", pickOne: "请至少选择一项。",
      date: "选择日期", staff: "工作人员", merchant: "商家",
      tray: n => `待上传的文件：${n} 个`, upload: n => `上传 ${n} 个文件`, clear: "全部移除",
      remove: name => `移除 ${name}`, uploadFailed: "上传失败，请重试。", chars: (n, m) => `${n} / ${m} 字`,
      tooShort: m => `至少 ${m} 字`,
    },
    "en": {
      send: "Send", placeholder: "Type a message…", other: "中文", otherLang: "zh-CN",
      title: "Weiquan · Consumer complaints", skip: "Skip to the message box", label: "Message",
      log: "Conversation", attach: "Attach evidence (several files at once)",
      sending: "Sending…", failed: "Not sent", retry: "Retry",
      offline: "You are offline; the message will be sent when the connection is back.",
      retrying: "Network error, retrying…",
      progress: (n, m) => `Step ${n} of ${m}`, confirm: "Confirm", pickOne: "Please pick at least one.",
      date: "Pick a date", staff: "Staff", merchant: "Merchant",
      tray: n => `Files to upload: ${n}`, upload: n => `Upload ${n} file${n === 1 ? "" : "s"}`,
      clear: "Remove all", remove: name => `Remove ${name}`,
      uploadFailed: "Upload failed, please retry.", chars: (n, m) => `${n} / ${m} characters`,
      tooShort: m => `at least ${m}`,
    },
  };
  const params = new URLSearchParams(location.search);
  let lang = params.get("lang") || localStorage.getItem("weiquan.lang")
    || ((navigator.language || "zh-CN").startsWith("zh") ? "zh-CN" : "en");
  if (!UI[lang]) lang = lang.startsWith("zh") ? "zh-CN" : "en";
  // The newest question the bot asked: its step decides the input, its choices stay live.
  let current = null;

  const ui = () => UI[lang];
  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());

  function applyLang() {
    const t = ui();
    document.documentElement.lang = lang;
    $("send").textContent = t.send;
    text.placeholder = t.placeholder;
    $("text-label").textContent = t.label;
    $("lang").textContent = t.other;
    $("lang").lang = t.otherLang;
    $("title").textContent = t.title;
    $("skip").textContent = t.skip;
    log.setAttribute("aria-label", t.log);
    $("attach").setAttribute("aria-label", t.attach);
    $("attach").title = t.attach;
    $("date-caption").textContent = t.date;
    document.querySelectorAll(".choices .confirm").forEach(b => { b.textContent = t.confirm; });
    if (current) setProgress(current.progress);
    renderTray();
    updateCounter();
  }

  function setLang(next) {
    if (!next || next === lang || !UI[next]) return;
    lang = next;
    localStorage.setItem("weiquan.lang", lang);
    applyLang();
  }

  function scrollDown() { window.scrollTo(0, document.body.scrollHeight); }

  function bubble(who, content, sender) {
    const row = document.createElement("div");
    row.className = "msg " + who + (sender ? " " + sender : "");
    if (sender && ui()[sender]) {
      const label = document.createElement("span");
      label.className = "who";
      label.textContent = ui()[sender];
      row.appendChild(label);
    }
    const b = document.createElement("div");
    b.className = "bubble";
    if (content instanceof Node) b.appendChild(content); else b.textContent = content;
    row.appendChild(b);
    log.appendChild(row);
    scrollDown();
    return row;
  }

  function status(content) {
    let line = $("status");
    if (!content) { if (line) line.remove(); return; }
    if (!line) { line = document.createElement("div"); line.id = "status"; line.className = "error"; }
    line.textContent = content;
    log.appendChild(line);
  }

  function disableOldChoices() {
    document.querySelectorAll(".choices button, .choices input").forEach(el => { el.disabled = true; });
  }

  // ------------------------------------------------------------------ the input

  function setProgress(progress) {
    const box = $("progress");
    if (!progress) { box.hidden = true; return; }
    box.hidden = false;
    $("progress-text").textContent = ui().progress(progress.step, progress.of);
    $("progress-bar").style.width = Math.round(100 * progress.step / progress.of) + "%";
  }

  function inputFor(step) {
    const input = STEPS[step] || {};
    text.classList.toggle("multiline", !!input.multiline);
    text.rows = input.multiline ? 5 : 1;
    if (input.kind === "text" && input.max) text.maxLength = input.max; else text.removeAttribute("maxlength");
    text.inputMode = input.kind === "amount" ? "decimal" : input.kind === "phone" ? "tel" : "text";
    text.autocomplete = input.kind === "phone" ? "tel" : "off";
    text.dataset.min = input.kind === "text" && input.multiline ? String(input.min || 0) : "";
    counter.hidden = !(input.kind === "text" && input.multiline);
    $("date-label").hidden = input.kind !== "date";
    if (input.kind === "date") {
      dateInput.max = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
      dateInput.value = "";
    }
    updateCounter();
  }

  function updateCounter() {
    if (counter.hidden) return;
    const n = [...text.value].length;
    const max = text.maxLength > 0 ? text.maxLength : 0;
    const min = Number(text.dataset.min || 0);
    let line = ui().chars(n, max);
    if (n > 0 && n < min) line += " · " + ui().tooShort(min);
    counter.textContent = line;
    counter.classList.toggle("over", n > 0 && n < min);
  }
  text.addEventListener("input", updateCounter);

  // ------------------------------------------------------------------ replies

  function choiceBox(reply) {
    if (reply.multi) {
      // Several answers allowed: checkboxes and one confirm, sent as "1 3".
      const box = document.createElement("fieldset");
      box.className = "choices";
      const legend = document.createElement("legend");
      legend.className = "sr-only";
      legend.textContent = reply.text.split("\n")[0];
      box.appendChild(legend);
      reply.choices.forEach((c, i) => {
        const label = document.createElement("label");
        const box_ = document.createElement("input");
        box_.type = "checkbox";
        box_.value = String(i + 1);
        box_.dataset.choice = c.id;
        const span = document.createElement("span");
        span.textContent = c.label;
        label.append(box_, span);
        box.appendChild(label);
      });
      const ok = document.createElement("button");
      ok.type = "button";
      ok.className = "confirm";
      ok.textContent = ui().confirm;
      ok.addEventListener("click", () => {
        const picked = [...box.querySelectorAll("input:checked")];
        if (!picked.length) { status(ui().pickOne); return; }
        const labels = picked.map(p => p.nextElementSibling.textContent);
        submit({ text: picked.map(p => p.value).join(" ") }, { shown: labels.join(lang === "en" ? ", " : "、") });
      });
      box.appendChild(ok);
      return box;
    }
    const box = document.createElement("div");
    box.className = "choices";
    box.setAttribute("role", "group");
    for (const c of reply.choices) {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = c.label;
      btn.dataset.choice = c.id;
      btn.addEventListener("click", () => submit({ text: c.label, choice: c.id, step: reply.step }));
      box.appendChild(btn);
    }
    return box;
  }

  function show(replies) {
    for (const r of replies) {
      if (r.lang) setLang(r.lang);
      const row = bubble("bot", r.text, r.sender);
      // Downloads for this browser: the data export and the dossier. Only server-made
      // paths of this site, never another origin.
      for (const [href, name] of [[r.download, "my-data.json"], [r.link, null]]) {
        if (!href || !href.startsWith("/") || href.startsWith("//")) continue;
        const a = document.createElement("a");
        a.href = href;
        a.textContent = name || href.split("/").pop();
        a.setAttribute("download", name || "");
        a.className = "download";
        const b = row.querySelector(".bubble");
        b.appendChild(document.createElement("br"));
        b.appendChild(a);
      }
      if (r.step) {
        current = r;
        setProgress(r.progress);
        inputFor(r.step);
      }
      if (r.choices && r.choices.length) log.appendChild(choiceBox(r));
    }
    scrollDown();
  }

  // The newest question's buttons again, live (after an upload: "done" is one tap away).
  function offerAgain() {
    if (!current || !current.choices || !current.choices.length) return;
    disableOldChoices();
    log.appendChild(choiceBox(current));
    scrollDown();
  }

  // ------------------------------------------------------------------ sending

  class Offline extends Error {}

  // Network failures are retried with backoff; the caller keeps the message id, so a
  // retry the server already answered is answered again, never applied twice.
  async function withRetry(attemptOnce) {
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        return await attemptOnce();
      } catch (err) {
        if (!(err instanceof TypeError)) throw err;
        if (attempt === 3 || navigator.onLine === false) throw new Offline(ui().offline);
        status(ui().retrying);
      }
      await new Promise(r => setTimeout(r, 500 * 2 ** attempt));
    }
    throw new Offline(ui().offline);
  }

  async function asJson(res) {
    if (res.ok) return res.json();
    const body = await res.json().catch(() => ({}));
    // A 5xx is passing (the database restarting): retried like a network error.
    if (res.status >= 500) throw new TypeError(String(res.status));
    throw new Error(typeof body.detail === "string" ? body.detail : String(res.status));
  }

  function post(payload) {
    return withRetry(async () => asJson(await fetch("/chat/messages", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
    })));
  }

  // Messages go out one at a time, in order; one that failed waits at the head with a
  // retry button, and the ones typed after it wait behind it.
  const queue = [];
  let flushing = false;

  function mark(item, state) {
    const row = item.row;
    row.classList.toggle("pending", state === "pending");
    row.classList.toggle("unsent", state === "failed");
    let line = row.querySelector(".state");
    if (state === "sent") { if (line) line.remove(); return; }
    if (!line) { line = document.createElement("div"); line.className = "state"; row.appendChild(line); }
    line.replaceChildren();
    const words = document.createElement("span");
    words.textContent = state === "failed" ? ui().failed : ui().sending;
    line.appendChild(words);
    if (state === "failed") {
      const again = document.createElement("button");
      again.type = "button";
      again.className = "retry";
      again.textContent = ui().retry;
      again.addEventListener("click", flush);
      line.appendChild(again);
    }
  }

  function submit(body, { typed = false, shown } = {}) {
    disableOldChoices();
    status("");
    const item = { payload: { lang, message_id: newId(), ...body }, typed };
    item.row = bubble("me", shown || body.text);
    queue.push(item);
    mark(item, "pending");
    flush();
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      while (queue.length) {
        const item = queue[0];
        mark(item, "pending");
        let data;
        try {
          data = await post(item.payload);
        } catch (err) {
          if (err instanceof Offline) {
            mark(item, "failed");
            status(err.message);
            if (item.typed && !text.value) text.value = item.payload.text;
            return;
          }
          queue.shift();
          mark(item, "sent");
          bubble("bot", "⚠ " + err.message);
          continue;
        }
        queue.shift();
        mark(item, "sent");
        status("");
        if (item.typed && text.value === item.payload.text) text.value = "";
        show(data.replies);
      }
    } finally {
      flushing = false;
    }
  }
  window.addEventListener("online", flush);

  $("composer").addEventListener("submit", ev => {
    ev.preventDefault();
    const value = text.value;
    if (!value.trim()) return;
    const head = queue[0];
    // The text of a message that failed stays in the box: sending it again is a retry.
    if (head && head.typed && head.payload.text === value) { flush(); return; }
    text.value = "";
    updateCounter();
    submit({ text: value }, { typed: true });
  });
  text.addEventListener("keydown", ev => {
    // Enter sends; Shift+Enter starts a new line (the description is several lines).
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      $("composer").requestSubmit();
    }
  });
  dateInput.addEventListener("change", () => {
    if (dateInput.value) submit({ text: dateInput.value });
  });

  // ------------------------------------------------------------------ evidence
  //
  // Files are queued here first: thumbnails, removable, uploaded together when the
  // consumer confirms. There is no command that takes one piece of evidence back, so
  // "remove" happens before anything leaves the browser.
  const tray = [];

  function renderTray() {
    const list = $("tray-files");
    const waiting = tray.filter(f => f.state !== "done");
    $("tray").hidden = tray.length === 0;
    document.body.classList.toggle("has-tray", tray.length > 0);
    $("tray-title").textContent = ui().tray(waiting.length);
    $("tray-upload").textContent = ui().upload(waiting.length);
    $("tray-upload").disabled = uploading || waiting.length === 0;
    $("tray-clear").textContent = ui().clear;
    $("tray-clear").disabled = uploading;
    for (const f of tray) {
      if (!f.li) {
        f.li = document.createElement("li");
        let preview;
        if (f.file.type.startsWith("image/")) {
          preview = document.createElement("img");
          preview.src = f.url = URL.createObjectURL(f.file);
          preview.alt = f.file.name;
        } else {
          preview = document.createElement("span");
          preview.textContent = (f.file.name.split(".").pop() || "file").toUpperCase();
        }
        preview.classList.add("preview");
        const name = document.createElement("span");
        name.className = "name";
        name.textContent = f.file.name;
        f.bar = document.createElement("progress");
        f.bar.max = 100;
        f.bar.value = 0;
        f.remove = document.createElement("button");
        f.remove.type = "button";
        f.remove.className = "remove";
        f.remove.textContent = "×";
        f.remove.addEventListener("click", () => removeFile(f));
        f.li.append(preview, name, f.bar, f.remove);
        list.appendChild(f.li);
      }
      f.bar.setAttribute("aria-label", f.file.name);
      f.remove.setAttribute("aria-label", ui().remove(f.file.name));
      f.remove.hidden = uploading || f.state === "done";
      f.li.className = f.state;
    }
  }

  function removeFile(f) {
    const at = tray.indexOf(f);
    if (at < 0 || uploading) return;
    tray.splice(at, 1);
    if (f.url) URL.revokeObjectURL(f.url);
    f.li.remove();
    renderTray();
    (tray.length ? tray[Math.min(at, tray.length - 1)].remove : $("attach")).focus();
  }

  $("attach").addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    for (const file of fileInput.files) tray.push({ file, id: newId(), state: "queued" });
    fileInput.value = "";
    renderTray();
    scrollDown();
    if (tray.length) $("tray-upload").focus();
  });
  $("tray-clear").addEventListener("click", () => { [...tray].forEach(removeFile); });

  // One file with XMLHttpRequest: fetch cannot report upload progress.
  function sendFile(f) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/chat/uploads");
      xhr.responseType = "json";
      xhr.upload.onprogress = ev => { if (ev.lengthComputable) f.bar.value = Math.round(100 * ev.loaded / ev.total); };
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) { f.bar.value = 100; resolve(xhr.response); }
        else if (xhr.status >= 500) reject(new TypeError(String(xhr.status)));
        else reject(new Error((xhr.response && xhr.response.detail) || String(xhr.status)));
      };
      xhr.onerror = () => reject(new TypeError("network"));
      const form = new FormData();
      form.append("lang", lang);
      form.append("message_id", f.id);
      form.append("file", f.file);
      xhr.send(form);
    });
  }

  let uploading = false;
  $("tray-upload").addEventListener("click", async () => {
    if (uploading) return;
    uploading = true;
    disableOldChoices();
    renderTray();
    try {
      for (const f of tray.filter(x => x.state !== "done")) {
        f.state = "sending";
        renderTray();
        let data;
        try {
          // The same message id on every try: a file the server already took is not counted twice.
          data = await withRetry(() => sendFile(f));
        } catch (err) {
          f.state = "failed";
          status(err instanceof Offline ? err.message : ui().uploadFailed);
          break;
        }
        f.state = "done";
        const content = document.createElement("span");
        if (f.url) {
          const img = document.createElement("img");
          img.className = "thumb";
          img.src = f.url;
          img.alt = f.file.name;
          content.appendChild(img);
        } else {
          content.textContent = "[" + f.file.name + "]";
        }
        bubble("me", content);
        show(data.replies);
        if (!data.replies.some(r => r.choices && r.choices.length)) offerAgain();
      }
    } finally {
      uploading = false;
      for (const f of tray.filter(x => x.state === "done")) { f.li.remove(); tray.splice(tray.indexOf(f), 1); }
      renderTray();
      if (!tray.length) status("");
    }
  });

  // ------------------------------------------------------------------ chrome

  $("lang").addEventListener("click", () => {
    const next = ui().otherLang;
    const word = lang === "en" ? "中文" : "English";
    setLang(next);
    submit({ text: word });
  });
  $("skip").addEventListener("click", ev => { ev.preventDefault(); text.focus(); });

  async function poll() {
    if (queue.length && !flushing) await flush();
    try {
      const res = await fetch("/chat/notices");
      if (res.ok) {
        const data = await res.json();
        if (data.replies.length) show(data.replies);
      }
    } catch (err) { /* offline: try again later */ }
    setTimeout(poll, 5000);
  }

  async function start() {
    applyLang();
    // After a reload the conversation comes back from the server; with nothing to show
    // the server gives its opening words. Nothing is sent on the consumer's behalf.
    let earlier = [];
    try {
      const res = await fetch("/chat/history?lang=" + encodeURIComponent(lang));
      if (res.ok) earlier = (await res.json()).replies;
    } catch (err) { /* offline: the poll brings notices later */ }
    show(earlier);
    // Only the newest question's buttons stay live; when replies without buttons came
    // after it (files received), they are offered again at the end.
    const open = log.lastElementChild;
    if (open && open.classList.contains("choices")) {
      document.querySelectorAll(".choices").forEach(box => {
        if (box !== open) box.querySelectorAll("button, input").forEach(el => { el.disabled = true; });
      });
    } else {
      disableOldChoices();
      offerAgain();
    }
    if (params.get("start")) submit({ text: params.get("start") });
    document.body.dataset.ready = "1";
    setTimeout(poll, 5000);
  }
  start();
})();
