// The dashboard's only script: buttons call the admin JSON API (the same calls a test makes),
// and the page re-reads itself when GET /__admin/events reports a change.
(function () {
  "use strict";
  var toast = document.getElementById("toast");
  var toastTimer = null;
  function say(text, isError) {
    toast.textContent = text;
    toast.className = isError ? "error" : "";
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, isError ? 8000 : 3000);
  }

  // Whether the person is typing into the page: a swap would throw their input away.
  function editing() {
    var active = document.activeElement;
    return !!(active && active.closest && active.closest("#content") && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName));
  }

  // Re-reads this page and swaps its content, keeping open entries open; waits while the person
  // is typing.
  var refreshing = false, again = false;
  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    var open = Array.prototype.map.call(document.querySelectorAll("details[open][id]"), function (d) { return d.id; });
    fetch(location.href, { headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status)); })
      .then(function (html) {
        if (editing()) { again = true; return; }
        var next = new DOMParser().parseFromString(html, "text/html");
        document.getElementById("content").replaceWith(next.getElementById("content"));
        document.getElementById("clock").replaceWith(next.getElementById("clock"));
        open.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
        startClock();
        document.dispatchEvent(new CustomEvent("dashboard:refreshed"));
      })
      .catch(function () { /* the next event tries again */ })
      .then(function () {
        refreshing = false;
        if (again) { again = false; if (editing()) { setTimeout(soon, 1000); } else { refresh(); } }
      });
  }
  var pending = null;
  function soon() {
    if (pending) return;
    pending = setTimeout(function () { pending = null; refresh(); }, 250);
  }

  function call(method, url, body) {
    var init = { method: method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    return fetch(url, init).then(function (r) {
      return r.text().then(function (text) {
        var json = null;
        try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
        if (!r.ok) {
          var message = json && json.error ? json.error.message : text || ("HTTP " + r.status);
          throw new Error(message);
        }
        return json;
      });
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-url]");
    if (!button) return;
    event.preventDefault();
    if (button.classList.contains("confirm") && !confirm(button.textContent + "?")) return;
    button.disabled = true;
    call(button.dataset.method || "POST", button.dataset.url, button.dataset.body)
      .then(function () { say(button.textContent + ": done"); refresh(); })
      .catch(function (e) { say(button.textContent + ": " + e.message, true); })
      .then(function () { button.disabled = false; });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form.advance");
    if (!form) return;
    event.preventDefault();
    var duration = form.elements.duration.value.trim();
    call("POST", form.dataset.url, { duration: duration })
      .then(function (r) { say("Advanced by " + duration + (r && r.fired ? "; " + r.fired + " steps applied" : "")); refresh(); })
      .catch(function (e) { say(e.message, true); });
  });

  // The header clock runs on between refreshes when the sandbox clock is not frozen.
  var ticker = null;
  function startClock() {
    clearInterval(ticker);
    var el = document.getElementById("clock");
    if (!el || el.dataset.frozen === "true") return;
    var base = Date.parse(el.dataset.now), started = Date.now();
    ticker = setInterval(function () {
      el.textContent = new Date(base + Date.now() - started).toISOString();
    }, 1000);
  }
  startClock();

  var live = document.getElementById("live");
  function connect() {
    if (!window.EventSource) return;
    var source = new EventSource("/__admin/events");
    var connected = false;
    source.addEventListener("hello", function () {
      live.textContent = "live";
      live.className = "live on";
      // Back after a break (the browser reconnects by itself): catch up on what was missed.
      if (connected) soon();
      connected = true;
    });
    ["request", "webhook", "state", "reset", "clock", "lagged"].forEach(function (name) {
      source.addEventListener(name, soon);
    });
    source.onerror = function () {
      live.textContent = "offline";
      live.className = "live off";
    };
  }
  connect();
})();
