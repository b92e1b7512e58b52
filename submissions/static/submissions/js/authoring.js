/*
 * The editing page: live word counters, autosave, conflicts, a local copy of unsaved
 * text, and the table rows (add, remove with undo, move, SDG picker).
 *
 * The page works without this script (the Save button posts the form); the script adds
 * autosave on top, through the same URL, asking for JSON.
 */
(function () {
  "use strict";

  var form = document.getElementById("question-form");
  if (!form) { return; }

  var t = window.gettext || function (s) { return s; };
  var fmt = window.interpolate || function (s, args) { return s.replace("%s", args[0]); };
  var editable = form.dataset.editable === "1";
  var statusEl = document.getElementById("save-status");
  var pendingEl = document.getElementById("pending-removals");
  var storageKey = "unsaved:" + form.dataset.storageKey;
  var rowsBox = form.querySelector(".rows");
  var tableSection = form.querySelector(".table-section");
  var totalInput = form.querySelector("input[name='rows-TOTAL_FORMS']");

  var DEBOUNCE_MS = 1200;
  var RETRY_MS = 10000;
  var timer = null;
  var inFlight = null;
  var dirty = false;
  var submitting = false;

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "small" + (kind ? " text-" + kind + "-emphasis fw-semibold" : "");
  }

  // ---- word counters ------------------------------------------------------------

  function updateCounter(textarea) {
    var counter = form.querySelector("[data-counter-for='" + textarea.id + "']");
    if (!counter) { return; }
    var words = window.countWords(textarea.value);
    var limit = parseInt(textarea.dataset.wordLimit || "", 10);
    var minimum = parseInt(textarea.dataset.wordMinimum || "", 10);
    var over = limit && words > limit;
    var under = minimum && words > 0 && words < minimum;
    var text;
    if (minimum && limit) {
      text = fmt(t("%(words)s words, %(minimum)s-%(limit)s"), { words: words, minimum: minimum, limit: limit }, true);
    } else if (limit) {
      text = fmt(t("%(words)s / %(limit)s words"), { words: words, limit: limit }, true);
    } else if (minimum) {
      text = fmt(t("%(words)s words, at least %(minimum)s"), { words: words, minimum: minimum }, true);
    } else {
      text = fmt(t("%(words)s words"), { words: words }, true);
    }
    if (over) {
      text += " — " + fmt(t("%(over)s over the limit"), { over: words - limit }, true);
    } else if (under) {
      text += " — " + fmt(t("%(short)s below the minimum"), { short: minimum - words }, true);
    }
    counter.textContent = text;
    counter.classList.toggle("text-danger", !!over);
    counter.classList.toggle("text-warning-emphasis", !!under);
    counter.classList.toggle("fw-semibold", !!(over || under));
    counter.classList.toggle("text-body-secondary", !(over || under));
    textarea.classList.toggle("is-over-limit", !!over);
  }

  function bindCounters(root) {
    root.querySelectorAll("textarea.js-counted").forEach(function (textarea) {
      updateCounter(textarea);
      textarea.addEventListener("input", function () { updateCounter(textarea); });
    });
  }

  // ---- local copy (second line of defence; the server is the first) -------------

  function snapshot() {
    var values = {};
    form.querySelectorAll("textarea, input[type=text], input[type=url], input[type=checkbox]").forEach(function (el) {
      if (!el.name) { return; }
      if (el.type === "checkbox") {
        values[el.name + "=" + el.value] = el.checked;
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function keepLocalCopy() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ at: new Date().toISOString(), total: totalInput ? totalInput.value : "0", values: snapshot() }));
    } catch (e) { /* storage full or disabled: the server copy is what counts */ }
  }

  function dropLocalCopy() {
    try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
  }

  function offerLocalCopy() {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.values) { return; }
    var total = parseInt(saved.total || "0", 10);
    while (totalInput && parseInt(totalInput.value, 10) < total) { addRow(false); }
    var current = snapshot();
    var differs = Object.keys(saved.values).some(function (key) {
      return key in current && current[key] !== saved.values[key] && saved.values[key] !== "";
    });
    if (!differs) { dropLocalCopy(); return; }
    var banner = document.getElementById("local-copy");
    banner.querySelector(".js-local-time").textContent = "(" + new Date(saved.at).toLocaleString() + ")";
    banner.classList.remove("d-none");
    banner.querySelector(".js-local-restore").addEventListener("click", function () {
      Object.keys(saved.values).forEach(function (key) {
        var value = saved.values[key];
        if (typeof value === "boolean") {
          var parts = key.split("=");
          var box = form.querySelector("input[type=checkbox][name='" + parts[0] + "'][value='" + parts[1] + "']");
          if (box) { box.checked = value; }
        } else {
          var el = form.elements.namedItem(key);
          if (el && el.value !== undefined) { el.value = value; }
        }
      });
      form.querySelectorAll("textarea.js-counted").forEach(updateCounter);
      banner.classList.add("d-none");
      changed(true);
    });
    banner.querySelector(".js-local-discard").addEventListener("click", function () {
      dropLocalCopy();
      banner.classList.add("d-none");
    });
  }

  // ---- rows -------------------------------------------------------------------------

  function rowElements() {
    return rowsBox ? Array.prototype.slice.call(rowsBox.querySelectorAll(".row-form")) : [];
  }

  function field(row, name) {
    return row.querySelector("[name='" + row.dataset.prefix + "-" + name + "']");
  }

  function activeRows() {
    return rowElements().filter(function (row) { return !field(row, "DELETE").checked; });
  }

  function renumber() {
    rowElements().forEach(function (row, index) { field(row, "position").value = index; });
    var max = parseInt(tableSection && tableSection.dataset.maxRows || "", 10);
    var atLimit = max && activeRows().length >= max;
    var addButton = form.querySelector(".js-add-row");
    if (addButton) { addButton.disabled = !!atLimit; }
    var note = form.querySelector(".js-row-limit");
    if (note) { note.classList.toggle("d-none", !atLimit); }
    var pending = rowElements().filter(function (row) { return field(row, "DELETE").checked && field(row, "id").value; }).length;
    pendingEl.textContent = pending ? fmt(t("%(n)s row(s) will be removed when you press Save."), { n: pending }, true) : "";
    pendingEl.classList.toggle("d-none", !pending);
  }

  function bindRow(row) {
    bindCounters(row);
    var name = field(row, "name");
    var title = row.querySelector(".js-row-title");
    if (name) {
      name.addEventListener("input", function () { title.textContent = name.value || t("New row"); });
    }
    row.querySelector(".js-remove").addEventListener("click", function () { setRemoved(row, true); });
    row.querySelector(".js-undo-remove").addEventListener("click", function () { setRemoved(row, false); });
    row.querySelector(".js-move-up").addEventListener("click", function () { move(row, -1); });
    row.querySelector(".js-move-down").addEventListener("click", function () { move(row, 1); });
    row.querySelector(".js-all-sdgs").addEventListener("click", function () {
      var boxes = row.querySelectorAll(".sdg-picker input[type=checkbox]");
      var all = Array.prototype.every.call(boxes, function (b) { return b.checked; });
      boxes.forEach(function (b) { b.checked = !all; });
      changed(false);
    });
  }

  function setRemoved(row, removed) {
    field(row, "DELETE").checked = removed;
    row.querySelector(".js-row-body").classList.toggle("d-none", removed);
    row.querySelector(".js-removed-note").classList.toggle("d-none", !removed);
    row.classList.toggle("row-removed", removed);
    var focusTarget = removed ? row.querySelector(".js-undo-remove") : row.querySelector(".js-remove");
    focusTarget.focus();
    renumber();
    keepLocalCopy();
  }

  function move(row, step) {
    var rows = rowElements();
    var index = rows.indexOf(row);
    var target = rows[index + step];
    if (!target) { return; }
    if (step < 0) { rowsBox.insertBefore(row, target); } else { rowsBox.insertBefore(target, row); }
    row.querySelector(step < 0 ? ".js-move-up" : ".js-move-down").focus();
    renumber();
    changed(false);
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function addRow(focus) {
    var template = document.getElementById("row-template");
    var index = parseInt(totalInput.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    var empty = rowsBox.querySelector(".js-no-rows");
    if (empty) { empty.remove(); }
    rowsBox.appendChild(row);
    totalInput.value = String(index + 1);
    field(row, "version").value = "0";
    // The server knows a retried save of this new row by this key (its answer may be lost).
    field(row, "client_key").value = newKey();
    bindRow(row);
    renumber();
    if (focus !== false) {
      var first = row.querySelector("input[type=text], textarea");
      if (first) { first.focus(); }
    }
    return row;
  }

  // ---- conflicts and errors ------------------------------------------------------------

  function panelFor(key) {
    if (key.indexOf("answer-") === 0) {
      var section = form.querySelector(".answer[data-prefix='" + key + "']");
      return section && section.querySelector(".conflict-panel");
    }
    var row = form.querySelector(".row-form[data-prefix='" + key + "']");
    if (!row) { return null; }
    var panel = row.querySelector(".conflict-panel");
    if (!panel) {
      panel = document.createElement("div");
      panel.className = "conflict-panel";
      row.querySelector(".js-row-body").prepend(panel);
    }
    return panel;
  }

  function clearPanel(key) {
    var panel = panelFor(key);
    if (panel) { panel.replaceChildren(); panel.classList.add("d-none"); }
  }

  function button(label, css, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm " + css + " me-2";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function showPanel(key, paragraphs, theirs, buttons) {
    var panel = panelFor(key);
    if (!panel) { return; }
    panel.replaceChildren();
    var box = document.createElement("div");
    box.className = "alert alert-danger mt-2";
    box.setAttribute("role", "alert");
    paragraphs.forEach(function (text) {
      var p = document.createElement("p");
      p.className = "mb-1";
      p.textContent = text;
      box.appendChild(p);
    });
    if (theirs !== null) {
      var grid = document.createElement("div");
      grid.className = "row g-2 my-2";
      [[t("Your text (not saved yet)"), theirs.mine], [t("Saved version"), theirs.text]].forEach(function (pair) {
        var col = document.createElement("div");
        col.className = "col-md-6";
        var h = document.createElement("p");
        h.className = "small fw-semibold mb-1";
        h.textContent = pair[0];
        var pre = document.createElement("pre");
        pre.className = "conflict-text border rounded bg-body p-2 mb-0";
        pre.textContent = pair[1];
        col.append(h, pre);
        grid.appendChild(col);
      });
      box.appendChild(grid);
    }
    buttons.forEach(function (b) { box.appendChild(b); });
    panel.appendChild(box);
    panel.classList.remove("d-none");
  }

  function describeRow(values) {
    return Object.keys(values).map(function (name) {
      var value = values[name];
      if (Array.isArray(value)) { value = value.join(", "); }
      return name + ": " + (value === "" || value === null ? "—" : value);
    }).join("\n");
  }

  function handleResult(result) {
    var key = result.key;
    if (key.indexOf("answer-") === 0) {
      var version = form.elements.namedItem(key + "-version");
      var textarea = form.elements.namedItem(key + "-text");
      if (result.status === "saved" || result.status === "unchanged") {
        version.value = result.version;
        clearPanel(key);
      } else if (result.status === "conflict") {
        var their = result.current ? result.current.text : "";
        showPanel(key, [result.errors[0] || t("Someone saved a newer version."), result.updated_by ? fmt(t("Saved by %(by)s."), { by: result.updated_by }, true) : ""],
          { mine: textarea.value, text: their }, [
            button(t("Keep my text"), "btn-danger", function () { version.value = result.version; clearPanel(key); changed(true); }),
            button(t("Use the saved version"), "btn-outline-secondary", function () {
              textarea.value = their; version.value = result.version; updateCounter(textarea); clearPanel(key); changed(true);
            })
          ]);
        return false;
      } else if (result.status === "invalid") {
        showPanel(key, result.errors, null, []);
        return false;
      }
      return true;
    }
    if (key === "rows") {
      setStatus(result.errors.join(" "), "danger");
      return false;
    }
    var row = form.querySelector(".row-form[data-prefix='" + key + "']");
    if (!row) { return true; }
    if (result.status === "saved" || result.status === "unchanged") {
      if (result.id) { field(row, "id").value = result.id; }
      field(row, "version").value = result.version;
      if (result.status === "saved") {
        var carried = row.querySelector(".js-carried");
        if (carried) { carried.remove(); }
      }
      clearPanel(key);
      return true;
    }
    if (result.status === "conflict") {
      showPanel(key, [result.errors[0], describeRow(result.current || {})], null, [
        button(t("Keep my values"), "btn-danger", function () { field(row, "version").value = result.version; clearPanel(key); changed(true); }),
        button(t("Use the saved values"), "btn-outline-secondary", function () {
          var current = result.current || {};
          Object.keys(current).forEach(function (name) {
            if (name === "sdgs") {
              row.querySelectorAll(".sdg-picker input[type=checkbox]").forEach(function (b) {
                b.checked = current.sdgs.indexOf(parseInt(b.value, 10)) !== -1;
              });
            } else if (field(row, name)) {
              field(row, name).value = current[name];
            }
          });
          field(row, "version").value = result.version;
          bindCounters(row);
          clearPanel(key);
          changed(true);
        })
      ]);
      return false;
    }
    if (result.status === "missing") {
      showPanel(key, result.errors, null, [
        button(t("Add it back as a new row"), "btn-danger", function () {
          field(row, "id").value = ""; field(row, "version").value = "0"; clearPanel(key); changed(true);
        }),
        button(t("Discard my text"), "btn-outline-secondary", function () { row.remove(); renumber(); dropLocalCopy(); })
      ]);
      return false;
    }
    if (result.status === "invalid") {
      showPanel(key, result.errors, null, []);
      return false;
    }
    return true;
  }

  // ---- saving ---------------------------------------------------------------------------

  function csrfToken() {
    // Read the cookie each time: logging in again in another tab rotates it.
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : form.elements.namedItem("csrfmiddlewaretoken").value;
  }

  function save() {
    timer = null;
    if (inFlight || !editable) { return; }
    dirty = false;
    var data = new FormData(form);
    data.set("autosave", "1");
    setStatus(t("Saving…"));
    inFlight = fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.status === 401 || (response.redirected && type.indexOf("json") === -1)) {
        throw { kind: "session" };
      }
      if (response.status === 403) { throw { kind: "forbidden" }; }
      if (type.indexOf("json") === -1) { throw { kind: "server", status: response.status }; }
      return response.json().then(function (body) {
        // A server error or an unreachable database (500, 503): say so and retry; a 4xx is a refusal.
        if (response.status >= 500) { throw { kind: "unavailable", message: body.error }; }
        if (!response.ok) { throw { kind: "refused", message: body.error }; }
        return body;
      });
    }).then(function (body) {
      var allGood = body.results.map(handleResult).every(Boolean);
      updateQuestionState(body);
      if (allGood && dirty) {
        // More was typed while this save travelled: say so, the next save follows.
        setStatus(t("Unsaved changes…"));
      } else if (allGood) {
        setStatus(fmt(t("Saved at %(time)s"), { time: body.saved_at }, true), "success");
        dropLocalCopy();
      } else {
        setStatus(t("Some changes were not saved: see the messages above. Your text is kept."), "danger");
      }
    }).catch(function (error) {
      dirty = true;
      if (error.kind === "session") {
        setStatus(t("Not saved: your session has expired. Log in again in another tab; your text is kept in this browser and will be saved then."), "danger");
      } else if (error.kind === "forbidden") {
        setStatus(t("Not saved: the server refused the request. Reload the page; your text is kept in this browser and will be offered back."), "danger");
      } else if (error.kind === "refused") {
        setStatus(error.message, "danger");
        dirty = false;
        return;
      } else if (error.kind === "unavailable") {
        setStatus(error.message, "danger");
      } else if (error.kind === "server") {
        setStatus(t("Not saved: the server had a problem. Your text is kept in this browser; trying again shortly."), "danger");
      } else {
        setStatus(t("Not saved: the server cannot be reached. Your text is kept in this browser; trying again shortly."), "danger");
      }
      timer = setTimeout(save, RETRY_MS);
    }).finally(function () {
      inFlight = null;
      if (dirty && !timer) { timer = setTimeout(save, DEBOUNCE_MS); }
    });
  }

  function updateQuestionState(body) {
    var link = document.querySelector(".toc [aria-current=page]");
    if (!link || !body.question) { return; }
    link.classList.toggle("toc-over", body.question.over);
  }

  function changed(immediately) {
    if (!editable) { return; }
    dirty = true;
    keepLocalCopy();
    setStatus(t("Unsaved changes…"));
    if (timer) { clearTimeout(timer); }
    if (inFlight) { return; }
    timer = setTimeout(save, immediately ? 0 : DEBOUNCE_MS);
  }

  // ---- wiring -----------------------------------------------------------------------------

  bindCounters(form.querySelector(".answer") ? form : document.createElement("div"));
  rowElements().forEach(bindRow);
  if (tableSection) { renumber(); }
  var addButton = form.querySelector(".js-add-row");
  if (addButton) { addButton.addEventListener("click", function () { addRow(true); }); }

  form.addEventListener("input", function (event) {
    if (event.target.name && event.target.name !== "autosave") { changed(false); }
  });
  form.addEventListener("change", function (event) {
    if (event.target.type === "checkbox" && !/-DELETE$/.test(event.target.name)) { changed(false); }
  });
  form.addEventListener("focusout", function (event) {
    if (dirty && event.target.matches("textarea, input")) { changed(true); }
  });
  form.addEventListener("submit", function (event) {
    keepLocalCopy();
    if (timer) { clearTimeout(timer); timer = null; }
    var waiting = inFlight;
    submitting = true;
    // An autosave in flight would make the Save button's request look like a stale edit.
    if (waiting) {
      event.preventDefault();
      setStatus(t("Saving…"));
      waiting.finally(function () { form.submit(); });
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && (dirty || inFlight)) { event.preventDefault(); event.returnValue = ""; }
  });

  if (editable) { offerLocalCopy(); }
})();
