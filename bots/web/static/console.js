// The console's only script: live updates, the unread counter, "someone else has this
// case open", drafts kept across an expired session, and the evidence viewer.
// Hand-written, no build step; every page works without it.
(function () {
  "use strict";
  var body = document.body;
  var caseMatch = location.pathname.match(/^\/console\/complaints\/([^\/]+)$/);
  var number = caseMatch ? decodeURIComponent(caseMatch[1]) : null;
  var PULSE_MS = Number(body.getAttribute("data-pulse-ms")) || 5000;

  // Drafts: every [data-keep] field is copied to sessionStorage as it is typed, and put
  // back when the page loads again (after signing in again, the text is still there).
  function draftKey(el) { return "weiquan-draft|" + location.pathname + "|" + el.getAttribute("data-keep"); }
  function keepDrafts(root) {
    root.querySelectorAll("[data-keep]").forEach(function (el) {
      var key = draftKey(el);
      var saved = sessionStorage.getItem(key);
      if (saved && !el.value) { el.value = saved; }
      el.addEventListener("input", function () {
        if (el.value) { sessionStorage.setItem(key, el.value); } else { sessionStorage.removeItem(key); }
      });
    });
  }
  // A success message names the form that succeeded: its drafts are done with.
  var done = document.querySelector("[data-done]");
  if (done) {
    var action = done.getAttribute("data-done");
    document.querySelectorAll("form").forEach(function (form) {
      if ((form.getAttribute("action") || "").endsWith("/" + action)) {
        form.querySelectorAll("[data-keep]").forEach(function (el) { sessionStorage.removeItem(draftKey(el)); });
      }
    });
  }
  var bulk = document.querySelector("#bulk-result.ok");
  if (bulk) {
    document.querySelectorAll("[data-keep]").forEach(function (el) { sessionStorage.removeItem(draftKey(el)); });
  }
  keepDrafts(document);

  // Live: ask the server what changed; when it did, fetch this page again and swap the
  // [data-live] parts that the staff member is not typing in.
  // The stamp of what the server rendered: a change after it is news for this page.
  var stamp = body.getAttribute("data-stamp");
  function swap() {
    var url = new URL(location.href);
    url.searchParams.set("live", "1");
    url.searchParams.delete("done");
    fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok || r.redirected) { return null; }
      return r.text();
    }).then(function (html) {
      if (!html) { return; }
      var fresh = new DOMParser().parseFromString(html, "text/html");
      document.querySelectorAll("[data-live]").forEach(function (el) {
        var next = el.id && fresh.getElementById(el.id);
        if (next && !el.contains(document.activeElement)) {
          el.innerHTML = next.innerHTML;
          wireViewer(el);
        }
      });
      body.setAttribute("data-refreshed", String(Date.now()));
    });
  }
  function pulse() {
    if (!body.hasAttribute("data-signed-in")) { return; }
    var url = "/console/pulse" + (number ? "?number=" + encodeURIComponent(number) : "");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var nav = document.querySelector(".unread-nav");
        if (nav) {
          nav.hidden = !data.unread;
          nav.querySelector("#unread-count").textContent =
            nav.getAttribute("data-text").replace("{n}", data.unread);
        }
        var presence = document.getElementById("presence");
        if (presence) {
          presence.hidden = !data.others.length;
          presence.textContent = data.others_text || "";
        }
        if (stamp !== null && data.stamp !== stamp && document.querySelector("[data-live]")) { swap(); }
        stamp = data.stamp;
      })
      .catch(function () { /* offline for a moment: the next pulse tries again */ });
  }
  pulse();
  setInterval(pulse, PULSE_MS);

  // Evidence viewer: zoom, rotate, previous/next, download.
  var viewer = document.getElementById("viewer");
  var state = { index: 0, zoom: 1, turn: 0 };
  function items() { return Array.prototype.slice.call(document.querySelectorAll("[data-viewer]")); }
  function show() {
    var list = items();
    if (!list.length) { return; }
    state.index = (state.index + list.length) % list.length;
    var item = list[state.index];
    var img = viewer.querySelector(".viewer-stage img");
    img.src = item.getAttribute("data-viewer");
    img.alt = item.getAttribute("data-name") || "";
    img.style.transform = "scale(" + state.zoom + ") rotate(" + state.turn + "deg)";
    var link = viewer.querySelector("[data-act=download]");
    link.href = item.getAttribute("data-viewer");
  }
  function wireViewer(root) {
    if (!viewer) { return; }
    root.querySelectorAll("[data-viewer]").forEach(function (button) {
      button.addEventListener("click", function () {
        state = { index: items().indexOf(button), zoom: 1, turn: 0 };
        show();
        viewer.showModal();
      });
    });
  }
  if (viewer) {
    viewer.addEventListener("click", function (event) {
      var act = event.target.getAttribute && event.target.getAttribute("data-act");
      if (!act || act === "download") { return; }
      if (act === "close") { viewer.close(); return; }
      if (act === "zoom-in") { state.zoom = Math.min(state.zoom * 1.25, 8); }
      if (act === "zoom-out") { state.zoom = Math.max(state.zoom / 1.25, 0.25); }
      if (act === "rotate") { state.turn = (state.turn + 90) % 360; }
      if (act === "next") { state.index += 1; state.zoom = 1; state.turn = 0; }
      if (act === "prev") { state.index -= 1; state.zoom = 1; state.turn = 0; }
      show();
    });
    wireViewer(document);
  }

  // The subcategory select offers the chosen category's subcategories only.
  var category = document.querySelector("#filters select[name=category]");
  var sub = document.querySelector("#filters select[name=subcategory]");
  function narrow() {
    if (!category || !sub) { return; }
    sub.querySelectorAll("option[data-category]").forEach(function (o) {
      o.hidden = !!category.value && o.getAttribute("data-category") !== category.value;
    });
  }
  if (category) { category.addEventListener("change", narrow); narrow(); }
})();
