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
        // A form marked data-keep holds what the person typed, an edit in progress or a result:
        // the page keeps its own copy rather than the fresh, empty one.
        Array.prototype.forEach.call(document.querySelectorAll("#content form[data-keep][id]"), function (form) {
          var fresh = next.getElementById(form.id);
          if (fresh) fresh.replaceWith(form);
        });
        document.getElementById("content").replaceWith(next.getElementById("content"));
        document.getElementById("clock").replaceWith(next.getElementById("clock"));
        open.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
        startClock();
        faultForms();
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

  // The fault rule form (Faults page): its fields become the JSON POST /__admin/faults takes
  // (PUT /__admin/faults/{id} when editing); empty fields are left out. The API's error shows
  // in the form.
  function showEffect(form) {
    var effect = form.elements.effect.value;
    Array.prototype.forEach.call(form.querySelectorAll("[data-effect]"), function (group) {
      group.hidden = group.dataset.effect !== effect;
    });
  }
  function faultForms() {
    Array.prototype.forEach.call(document.querySelectorAll("form.fault"), showEffect);
  }
  function number(text) { return text.trim() === "" ? undefined : Number(text); }
  function faultSpec(form) {
    var f = form.elements, text = function (name) { return f[name].value.trim() || undefined; };
    var effect = { type: f.effect.value };
    if (effect.type === "latency") { effect.ms = number(f.latency_ms.value); effect.max_ms = number(f.latency_max_ms.value); }
    if (effect.type === "error") {
      effect.status = Number(f.error_status.value);
      effect.retry_after = number(f.error_retry_after.value);
      effect.message = text("error_message");
    }
    if (effect.type === "timeout") effect.ms = number(f.timeout_ms.value);
    if (effect.type === "webhook_failure") effect.status = number(f.webhook_status.value);
    return {
      provider: text("provider"), method: text("method"), path: text("path"), tenant: text("tenant"),
      event: effect.type === "webhook_failure" ? text("event") : undefined,
      probability: number(f.probability.value), times: number(f.times.value),
      description: text("description"), effect: effect,
    };
  }
  function faultMode(form, url, method) {
    form.dataset.url = url;
    form.dataset.method = method;
    var editing = method === "PUT", title = form.querySelector("h2");
    title.textContent = editing ? title.dataset.titleEdit + " " + url.split("/").pop() : title.dataset.titleAdd;
    form.querySelector("button[type=submit]").textContent = editing ? "Save rule" : "Add rule";
    form.querySelector("button.cancel").hidden = !editing;
  }
  function formError(form, message) {
    var box = form.querySelector(".form-error");
    box.textContent = message || "";
    box.hidden = !message;
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "effect" && event.target.form && event.target.form.matches("form.fault")) {
      showEffect(event.target.form);
    }
  });
  document.addEventListener("reset", function (event) {
    var form = event.target;
    if (!form.matches("form.fault")) return;
    formError(form);
    faultMode(form, "/__admin/faults", "POST");
    setTimeout(function () { showEffect(form); }, 0); // after the browser has reset the fields
  });
  // Edit: the rule as the API holds it goes into the form, which then saves with PUT.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-edit]");
    if (!button) return;
    var form = document.querySelector("form.fault"), f = form.elements;
    var spec = JSON.parse(button.dataset.spec), e = spec.effect;
    form.reset();
    var set = function (name, value) { f[name].value = value === undefined || value === null ? "" : value; };
    ["provider", "method", "path", "tenant", "event", "times", "description"].forEach(function (name) { set(name, spec[name]); });
    set("probability", spec.probability);
    set("effect", e.type);
    if (e.type === "latency") { set("latency_ms", e.ms); set("latency_max_ms", e.max_ms); }
    if (e.type === "error") { set("error_status", e.status); set("error_retry_after", e.retry_after); set("error_message", e.message); }
    if (e.type === "timeout") set("timeout_ms", e.ms);
    if (e.type === "webhook_failure") set("webhook_status", e.status);
    setTimeout(function () { faultMode(form, button.dataset.edit, "PUT"); showEffect(form); form.scrollIntoView(); }, 0);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form.fault");
    if (!form) return;
    event.preventDefault();
    var editing = form.dataset.method === "PUT";
    call(form.dataset.method, form.dataset.url, faultSpec(form))
      .then(function (rule) {
        say((editing ? "Saved " : "Added ") + rule.id);
        form.reset();
        refresh();
      })
      .catch(function (e) { formError(form, e.message); say(e.message, true); });
  });

  // Restore a snapshot (Snapshot page): the chosen file goes as the body of
  // POST /__admin/snapshot/restore; what the API answers shows under the form.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form.restore");
    if (!form) return;
    event.preventDefault();
    var result = form.querySelector(".form-result"), file = form.elements.file.files[0];
    function show(text, isError) {
      result.textContent = text;
      result.className = "form-result" + (isError ? " form-error" : "");
      result.hidden = false;
      say(text, isError);
    }
    if (!file) { show("Choose a snapshot file first", true); return; }
    file.text()
      .then(function (text) { return call("POST", form.dataset.url, text); })
      .then(function (r) {
        show("Restored " + file.name + ": " + r.tenants + " tenants, " + r.scheduled_steps + " scheduled steps, " +
          r.webhook_deliveries + " webhook deliveries (taken at " + r.taken_at + ")");
        refresh();
      })
      .catch(function (e) { show("Restore failed: " + e.message, true); });
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
  faultForms();

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
    ["request", "webhook", "state", "reset", "clock", "faults", "lagged"].forEach(function (name) {
      source.addEventListener(name, soon);
    });
    source.onerror = function () {
      live.textContent = "offline";
      live.className = "live off";
    };
  }
  connect();
})();
