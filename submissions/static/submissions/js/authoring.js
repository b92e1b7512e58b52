/*
 * The editing page: live word counters (with the words past the limit shown), autosave,
 * merges and conflicts, a local copy of unsaved text, who else is here, and the table's
 * rows as a compact list (one open at a time, keyboard navigation).
 *
 * The page works without this script (the Save button posts the form, rows open as
 * <details>); the script adds the rest on top, through the same URLs, asking for JSON.
 */
(function () {
  "use strict";

  var form = document.getElementById("question-form");
  if (!form) { return; }

  var gettext = window.gettext || function (s) { return s; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var fmt = window.interpolate || function (s, args) { return s.replace("%s", args[0]); };
  // A date and time written as the server writes them: the language's DATETIME_FORMAT (from
  // the JavaScript catalogue), month names in the page's language, in the site's time zone.
  function formatDateTime(date) {
    var pattern = window.get_format ? window.get_format("DATETIME_FORMAT") : "j F Y, H:i";
    var lang = document.documentElement.lang || "en";
    var zone = form.dataset.timeZone || undefined;
    var parts = {};
    new Intl.DateTimeFormat("en-u-nu-latn", {
      timeZone: zone, year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", hourCycle: "h23"
    }).formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    var monthName = new Intl.DateTimeFormat(lang, { timeZone: zone, month: "long" }).format(date);
    var pad = function (v) { return ("0" + v).slice(-2); };
    var values = {
      j: String(Number(parts.day)), d: pad(parts.day), n: String(Number(parts.month)),
      m: pad(parts.month), F: monthName, Y: parts.year, G: String(Number(parts.hour) % 24),
      H: pad(Number(parts.hour) % 24), i: pad(parts.minute)
    };
    var out = "";
    for (var k = 0; k < pattern.length; k++) {
      var ch = pattern[k];
      if (ch === "\\" && k + 1 < pattern.length) { out += pattern[++k]; } else { out += values[ch] !== undefined ? values[ch] : ch; }
    }
    return out;
  }
  var editable = form.dataset.editable === "1";
  var statusEl = document.getElementById("save-status");
  var pendingEl = document.getElementById("pending-removals");
  var storageKey = "unsaved:" + form.dataset.storageKey;
  var rowsBox = form.querySelector(".rows");
  var tableSection = form.querySelector(".table-section");
  var totalInput = form.querySelector("input[name='rows-TOTAL_FORMS']");

  var DEBOUNCE_MS = 1200;
  var RETRY_MS = 10000;
  var HEARTBEAT_MS = 15000;
  var timer = null;
  var inFlight = null;
  var dirty = false;
  var submitting = false;
  var touched = {}; // answer prefixes and row prefixes edited since they were last saved
  var lastTyped = 0;

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "small" + (kind ? " text-" + kind + "-emphasis fw-semibold" : "");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // ---- word counters, the words past the limit, boxes that grow ------------------------

  function overflowStart(text, limit) {
    // Where the first word past the limit begins: the shortest prefix that counts limit + 1.
    var low = 0, high = text.length;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (window.countWords(text.slice(0, mid + 1)) > limit) { high = mid; } else { low = mid + 1; }
    }
    return low;
  }

  function showOverflow(textarea, limit, words) {
    var box = form.querySelector("[data-over-for='" + textarea.id + "']");
    if (!box) { return; }
    if (!limit || words <= limit) { box.classList.add("d-none"); box.replaceChildren(); return; }
    var start = overflowStart(textarea.value, limit);
    var before = textarea.value.slice(Math.max(0, start - 60), start);
    box.replaceChildren(
      el("span", "text-body-secondary", gettext("Past the limit:") + " …" + before.replace(/^\S*\s/, "")),
      el("mark", "over-limit-words", textarea.value.slice(start))
    );
    box.classList.remove("d-none");
  }

  function grow(textarea) {
    // CSS field-sizing does it where the browser has it; elsewhere the height follows here.
    if (window.CSS && CSS.supports && CSS.supports("field-sizing", "content")) { return; }
    textarea.style.height = "auto";
    textarea.style.height = Math.min(textarea.scrollHeight + 4, window.innerHeight * 0.7) + "px";
  }

  function updateCounter(textarea) {
    grow(textarea);
    var counter = form.querySelector("[data-counter-for='" + textarea.id + "']");
    if (!counter) { return; }
    var words = window.countWords(textarea.value);
    var limit = parseInt(textarea.dataset.wordLimit || "", 10);
    var minimum = parseInt(textarea.dataset.wordMinimum || "", 10);
    var over = limit && words > limit;
    var under = minimum && words > 0 && words < minimum;
    var text;
    if (minimum && limit) {
      text = fmt(gettext("%(words)s words, %(minimum)s-%(limit)s"), { words: words, minimum: minimum, limit: limit }, true);
    } else if (limit) {
      text = fmt(gettext("%(words)s / %(limit)s words"), { words: words, limit: limit }, true);
    } else if (minimum) {
      text = fmt(gettext("%(words)s words, at least %(minimum)s"), { words: words, minimum: minimum }, true);
    } else {
      text = fmt(gettext("%(words)s words"), { words: words }, true);
    }
    if (over) {
      text += " — " + fmt(gettext("%(over)s over the limit"), { over: words - limit }, true);
    } else if (under) {
      text += " — " + fmt(gettext("%(short)s below the minimum"), { short: minimum - words }, true);
    }
    counter.textContent = text;
    counter.classList.toggle("text-danger", !!over);
    counter.classList.toggle("text-warning-emphasis", !!under);
    counter.classList.toggle("fw-semibold", !!(over || under));
    counter.classList.toggle("text-body-secondary", !(over || under));
    textarea.classList.toggle("is-over-limit", !!over);
    showOverflow(textarea, limit, words);
  }

  function bindCounters(root) {
    root.querySelectorAll("textarea.js-counted").forEach(function (textarea) {
      updateCounter(textarea);
      textarea.addEventListener("input", function () { updateCounter(textarea); });
    });
  }

  // ---- word diffs (the conflict screen, the local copy) ----------------------------------

  function words(text) { return text.match(/\s*\S+/g) || []; }

  function wordDiff(oldText, newText) {
    // The changes from old to new, word by word: [[op, text]], op "equal", "delete", "insert".
    var a = words(oldText), b = words(newText);
    var n = a.length, m = b.length, i, j;
    var keys = function (list) { return list.map(function (w) { return w.trim(); }); };
    var ka = keys(a), kb = keys(b);
    var lcs = [];
    for (i = 0; i <= n; i++) { lcs.push(new Array(m + 1).fill(0)); }
    for (i = n - 1; i >= 0; i--) {
      for (j = m - 1; j >= 0; j--) {
        lcs[i][j] = ka[i] === kb[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    var out = [];
    var put = function (op, text) {
      if (out.length && out[out.length - 1][0] === op) { out[out.length - 1][1] += text; } else { out.push([op, text]); }
    };
    i = 0; j = 0;
    while (i < n && j < m) {
      if (ka[i] === kb[j]) { put("equal", b[j]); i++; j++; } else if (lcs[i + 1][j] >= lcs[i][j + 1]) { put("delete", a[i]); i++; } else { put("insert", b[j]); j++; }
    }
    for (; i < n; i++) { put("delete", a[i]); }
    for (; j < m; j++) { put("insert", b[j]); }
    return out;
  }

  function renderDiff(diff) {
    // A diff as text with deletions struck through and insertions underlined (with words
    // for screen readers); the box scrolls to the first difference.
    var box = el("div", "conflict-diff border rounded bg-body p-2");
    box.setAttribute("tabindex", "0");
    var first = null;
    diff.forEach(function (piece) {
      var op = piece[0], text = piece[1];
      if (op === "equal") { box.appendChild(document.createTextNode(text)); return; }
      var node = el(op === "delete" ? "del" : "ins", op === "delete" ? "diff-theirs" : "diff-mine");
      var said = el("span", "visually-hidden", op === "delete" ? gettext("[only in the saved version:]") + " " : gettext("[only in yours:]") + " ");
      node.append(said, document.createTextNode(text));
      box.appendChild(node);
      if (!first) { first = node; }
    });
    return { box: box, first: first };
  }

  function scrollToFirst(shown) {
    if (!shown.first) { return; }
    var offset = shown.first.offsetTop - shown.box.offsetTop - 24;
    shown.box.scrollTop = Math.max(0, offset);
  }

  // ---- the local copy: a safety net, never a surprise -------------------------------------

  function rowState(row) {
    var values = {};
    row.querySelectorAll("input[type=text], input[type=url], textarea").forEach(function (input) {
      values[input.name.slice(row.dataset.prefix.length + 1)] = input.value;
    });
    values.sdgs = Array.prototype.filter.call(row.querySelectorAll(".sdg-picker input"), function (b) { return b.checked; })
      .map(function (b) { return parseInt(b.value, 10); });
    return {
      id: field(row, "id").value, key: field(row, "client_key").value,
      version: field(row, "version").value, removed: field(row, "DELETE").checked, values: values
    };
  }

  function answerState() {
    var answers = {};
    form.querySelectorAll(".answer[data-prefix]").forEach(function (section) {
      var prefix = section.dataset.prefix;
      var text = form.elements.namedItem(prefix + "-text");
      var mark = form.elements.namedItem(prefix + "-nothing_to_report");
      answers[prefix] = {
        text: text ? text.value : "", version: form.elements.namedItem(prefix + "-version").value,
        nothing: mark ? mark.checked : false
      };
    });
    return answers;
  }

  function keepLocalCopy() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({
        at: new Date().toISOString(), answers: answerState(), rows: rowElements().map(rowState)
      }));
    } catch (e) { /* storage full or disabled: the server copy is what counts */ }
  }

  function dropLocalCopy() {
    try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
  }

  function sameValues(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function rowByIdentity(state) {
    return rowElements().filter(function (row) {
      return (state.id && field(row, "id").value === state.id) || (state.key && field(row, "client_key").value === state.key);
    })[0];
  }

  function offerLocalCopy() {
    // What this browser kept that the page (the server's copy) does not show: each
    // difference listed with its words, restored only when the person asks. A row the
    // server does not have comes back as a new row, marked "not saved yet".
    var saved;
    try { saved = JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.answers) { dropLocalCopy(); return; }
    var page = answerState();
    var items = [];
    Object.keys(saved.answers).forEach(function (prefix) {
      var mine = saved.answers[prefix], there = page[prefix];
      if (!there || (mine.text === there.text && mine.nothing === there.nothing)) { return; }
      var section = form.querySelector(".answer[data-prefix='" + prefix + "']");
      var label = section.querySelector("h2, label");
      items.push({
        label: label ? label.textContent.trim() : gettext("Answer"), diff: wordDiff(there.text, mine.text),
        apply: function () {
          form.elements.namedItem(prefix + "-text").value = mine.text;
          var mark = form.elements.namedItem(prefix + "-nothing_to_report");
          if (mark) { mark.checked = mine.nothing; }
          touched[prefix] = true;
        }
      });
    });
    (saved.rows || []).forEach(function (state) {
      var row = rowByIdentity(state);
      if (row) {
        var there = rowState(row);
        if (sameValues(there.values, state.values) && there.removed === state.removed) { return; }
        items.push({
          label: fmt(gettext("Row “%(name)s”"), { name: state.values.name || gettext("(unnamed)") }, true),
          diff: wordDiff(describeValues(there.values), describeValues(state.values)),
          apply: function () { applyRowValues(row, state.values); if (state.removed) { setRemoved(row, true); } touched[row.dataset.prefix] = true; }
        });
      } else if (!state.removed && !state.id && hasContent(state.values)) {
        items.push({
          label: fmt(gettext("A new row you added: “%(name)s” (not saved yet)"), { name: state.values.name || gettext("(unnamed)") }, true),
          diff: wordDiff("", describeValues(state.values)),
          apply: function () {
            var added = addRow(false);
            applyRowValues(added, state.values);
            field(added, "client_key").value = state.key || field(added, "client_key").value;
            added.querySelector(".js-row-unsaved").classList.remove("d-none");
            touched[added.dataset.prefix] = true;
          }
        });
      }
    });
    if (!items.length) { dropLocalCopy(); return; }
    var banner = document.getElementById("local-copy");
    banner.querySelector(".js-local-time").textContent = "(" + formatDateTime(new Date(saved.at)) + ")";
    var list = banner.querySelector(".js-local-items");
    list.replaceChildren();
    items.forEach(function (item) {
      var li = el("li", "mb-2");
      li.appendChild(el("p", "mb-1 fw-semibold small", item.label));
      var shown = renderDiff(item.diff);
      li.appendChild(shown.box);
      list.appendChild(li);
      scrollToFirst(shown);
    });
    banner.classList.remove("d-none");
    banner.querySelector(".js-local-restore").addEventListener("click", function () {
      items.forEach(function (item) { item.apply(); });
      form.querySelectorAll("textarea.js-counted").forEach(updateCounter);
      rowElements().forEach(updateSummary);
      banner.classList.add("d-none");
      changed(true);
    });
    banner.querySelector(".js-local-discard").addEventListener("click", function () {
      dropLocalCopy();
      banner.classList.add("d-none");
    });
  }

  function hasContent(values) {
    return Object.keys(values).some(function (k) { return k === "sdgs" ? values[k].length : String(values[k] || "").trim(); });
  }

  function describeValues(values) {
    return Object.keys(values).map(function (name) {
      var value = values[name];
      if (Array.isArray(value)) { value = value.join(", "); }
      return name + ": " + (value === "" || value === null ? "—" : value);
    }).join("\n");
  }

  function applyRowValues(row, values) {
    Object.keys(values).forEach(function (name) {
      if (name === "sdgs") {
        row.querySelectorAll(".sdg-picker input[type=checkbox]").forEach(function (b) {
          b.checked = values.sdgs.indexOf(parseInt(b.value, 10)) !== -1;
        });
      } else if (field(row, name)) {
        field(row, name).value = values[name];
      }
    });
    bindCounters(row);
    updateSummary(row);
  }

  // ---- rows: a compact list, one open at a time ---------------------------------------------

  function rowElements() {
    return rowsBox ? Array.prototype.slice.call(rowsBox.querySelectorAll(".row-form")) : [];
  }

  function field(row, name) {
    return row.querySelector("[name='" + row.dataset.prefix + "-" + name + "']");
  }

  function activeRows() {
    return rowElements().filter(function (row) { return !field(row, "DELETE").checked; });
  }

  function summaries() {
    return rowElements().map(function (row) { return row.querySelector("summary"); });
  }

  function setRoving(target) {
    // The list is one Tab stop: arrows move between rows, Enter opens one.
    summaries().forEach(function (summary) { summary.tabIndex = summary === target ? 0 : -1; });
  }

  function renumber() {
    rowElements().forEach(function (row, index) {
      field(row, "position").value = index;
      var number = row.querySelector(".row-index");
      if (number) { number.textContent = (index + 1) + "."; }
    });
    var max = parseInt(tableSection && tableSection.dataset.maxRows || "", 10);
    var atLimit = max && activeRows().length >= max;
    var addButton = form.querySelector(".js-add-row");
    if (addButton) { addButton.disabled = !!atLimit; }
    var note = form.querySelector(".js-row-limit");
    if (note) { note.classList.toggle("d-none", !atLimit); }
    var pending = rowElements().filter(function (row) { return field(row, "DELETE").checked && field(row, "id").value; }).length;
    pendingEl.textContent = pending ? fmt(ngettext("%(n)s row will be removed when you press Save.", "%(n)s rows will be removed when you press Save.", pending), { n: pending }, true) : "";
    pendingEl.classList.toggle("d-none", !pending);
    var current = summaries().filter(function (s) { return s.tabIndex === 0; })[0];
    setRoving(current || summaries()[0]);
  }

  function updateSummary(row) {
    var name = field(row, "name");
    row.querySelector(".js-row-title").textContent = (name && name.value) || gettext("New row");
    var chips = row.querySelector(".js-row-sdgs");
    if (chips) {
      chips.replaceChildren();
      row.querySelectorAll(".sdg-picker input:checked").forEach(function (box) {
        chips.appendChild(el("span", "sdg-chip sdg-" + box.value, box.value));
      });
    }
    var description = field(row, "description");
    var badge = row.querySelector(".js-row-words");
    if (description && badge) {
      var count = window.countWords(description.value);
      var limit = parseInt(description.dataset.wordLimit || "", 10);
      badge.textContent = limit ? fmt(gettext("%(words)s / %(limit)s words"), { words: count, limit: limit }, true) : fmt(gettext("%(words)s words"), { words: count }, true);
      badge.className = "badge rounded-pill js-row-words " + (limit && count > limit ? "text-bg-danger" : "text-bg-light border");
    }
  }

  function openRow(row, focusField) {
    var details = row.querySelector("details");
    details.open = true;
    if (focusField) {
      var first = details.querySelector(".js-row-body input[type=text], .js-row-body textarea");
      if (first) { first.focus(); }
    }
  }

  function bindRow(row) {
    bindCounters(row);
    var details = row.querySelector("details");
    var summary = details.querySelector("summary");
    var opened = false;
    details.addEventListener("toggle", function () {
      if (!details.open) { return; }
      var several = form.querySelector(".js-open-several");
      if (!several || !several.checked) {
        rowElements().forEach(function (other) {
          if (other !== row) { other.querySelector("details").open = false; }
        });
      }
      setRoving(summary);
      if (opened) { opened = false; openRow(row, true); }
    });
    summary.addEventListener("keydown", function (event) {
      var all = summaries(), index = all.indexOf(summary), target = null;
      if (event.key === "ArrowDown") { target = all[index + 1]; } else if (event.key === "ArrowUp") { target = all[index - 1]; } else if (event.key === "Home") { target = all[0]; } else if (event.key === "End") { target = all[all.length - 1]; } else if (event.key === "Enter" || event.key === " ") {
        opened = !details.open; // opening with the keyboard: the first field gets the focus
        return;
      } else { return; }
      event.preventDefault();
      if (target) { setRoving(target); target.focus(); }
    });
    summary.addEventListener("focus", function () { setRoving(summary); });
    row.addEventListener("input", function () { touched[row.dataset.prefix] = true; updateSummary(row); });
    row.addEventListener("change", function () { touched[row.dataset.prefix] = true; updateSummary(row); });
    var remove = row.querySelector(".js-remove");
    if (!remove) { return; }
    remove.addEventListener("click", function () { setRemoved(row, true); });
    row.querySelector(".js-undo-remove").addEventListener("click", function () { setRemoved(row, false); });
    row.querySelector(".js-move-up").addEventListener("click", function () { move(row, -1); });
    row.querySelector(".js-move-down").addEventListener("click", function () { move(row, 1); });
    row.querySelector(".js-all-sdgs").addEventListener("click", function () {
      var boxes = row.querySelectorAll(".sdg-picker input[type=checkbox]");
      var all = Array.prototype.every.call(boxes, function (b) { return b.checked; });
      boxes.forEach(function (b) { b.checked = !all; });
      updateSummary(row);
      touched[row.dataset.prefix] = true;
      changed(false);
    });
  }

  function setRemoved(row, removed) {
    field(row, "DELETE").checked = removed;
    row.querySelector("details").classList.toggle("d-none", removed);
    row.querySelector(".js-removed-note").classList.toggle("d-none", !removed);
    row.classList.toggle("row-removed", removed);
    if (!removed) { openRow(row, false); }
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
    openRow(row, focus !== false);
    return row;
  }

  // ---- merges, conflicts and errors ---------------------------------------------------------

  function panelFor(key) {
    if (key.indexOf("answer-") === 0) {
      var section = form.querySelector(".answer[data-prefix='" + key + "']");
      return section && section.querySelector(".conflict-panel");
    }
    var row = form.querySelector(".row-form[data-prefix='" + key + "']");
    return row && row.querySelector(".conflict-panel");
  }

  function clearPanel(key) {
    var panel = panelFor(key);
    if (panel) { panel.replaceChildren(); panel.classList.add("d-none"); }
  }

  function button(label, css, onClick) {
    var b = el("button", "btn btn-sm " + css + " me-2 mt-1", label);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function showPanel(key, kind, paragraphs, extra, buttons) {
    var panel = panelFor(key);
    if (!panel) { return; }
    panel.replaceChildren();
    var box = el("div", "alert alert-" + kind + " mt-2");
    box.setAttribute("role", kind === "info" ? "status" : "alert");
    paragraphs.forEach(function (text) { if (text) { box.appendChild(el("p", "mb-1", text)); } });
    if (extra) { box.appendChild(extra); }
    buttons.forEach(function (b) { box.appendChild(b); });
    panel.appendChild(box);
    panel.classList.remove("d-none");
    var row = panel.closest(".row-form");
    if (row) { openRow(row, false); }
    return box;
  }

  function showAnswerConflict(key, result, textarea, version) {
    var merge = result.merge || { diff: wordDiff(result.current.text, textarea.value), text: textarea.value, clashes: [] };
    var holder = el("div", "my-2");
    holder.appendChild(el("p", "small mb-1", fmt(gettext("Struck through: only in the version %(by)s saved. Underlined: only in yours."), { by: result.updated_by || gettext("someone") }, true)));
    var shown = renderDiff(merge.diff);
    holder.appendChild(shown.box);
    if (merge.clashes.length) {
      var clashes = el("ul", "small mb-0 mt-2");
      merge.clashes.forEach(function (clash) {
        var li = el("li");
        li.append(el("span", "", gettext("Both changed this passage — yours: ")), el("mark", "", clash.mine), el("span", "", " " + gettext("theirs: ")), el("span", "", clash.theirs));
        clashes.appendChild(li);
      });
      holder.appendChild(clashes);
    }
    showPanel(key, "danger", [result.errors[0]], holder, [
      button(gettext("Keep mine"), "btn-danger", function () { version.value = result.version; clearPanel(key); changed(true); }),
      button(gettext("Use theirs"), "btn-outline-secondary", function () {
        textarea.value = result.current.text; version.value = result.version; updateCounter(textarea); clearPanel(key); changed(true);
      }),
      button(gettext("Edit the merged text"), "btn-outline-primary", function () {
        textarea.value = merge.text; version.value = result.version; updateCounter(textarea);
        textarea.focus();
        if (merge.clashes.length) { textarea.setSelectionRange(merge.clashes[0].start, merge.clashes[0].end); }
        clearPanel(key);
        changed(false);
      })
    ]);
    scrollToFirst(shown);
  }

  function handleResult(result, sent) {
    var key = result.key;
    if (key.indexOf("answer-") === 0) {
      var version = form.elements.namedItem(key + "-version");
      var textarea = form.elements.namedItem(key + "-text");
      if (result.status === "saved" || result.status === "unchanged") {
        version.value = result.version;
        if (!textarea || textarea.value === sent[key + "-text"]) { delete touched[key]; }
        clearPanel(key);
      } else if (result.status === "merged") {
        if (textarea && textarea.value === sent[key + "-text"]) {
          // Nothing typed since: the box shows the merged text, at its new version.
          textarea.value = result.current.text; version.value = result.version; updateCounter(textarea);
          delete touched[key];
        } // else: the version stays the one both started from, and the next save merges again
        showPanel(key, "info", [result.message], null, []);
      } else if (result.status === "conflict") {
        if (!textarea) { version.value = result.version; return true; }
        showAnswerConflict(key, result, textarea, version);
        return false;
      } else if (result.status === "invalid") {
        showPanel(key, "danger", result.errors, null, []);
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
    if (result.status === "saved" || result.status === "unchanged" || result.status === "merged") {
      if (result.id) { field(row, "id").value = result.id; row.dataset.rowId = result.id; }
      var unchangedSince = sameValues(rowState(row).values, sent.rows[key]);
      if (result.status !== "merged" || unchangedSince) { field(row, "version").value = result.version; }
      if (result.status === "merged" && unchangedSince) { applyRowValues(row, result.current); }
      if (unchangedSince) { delete touched[key]; }
      if (result.status === "saved") {
        var carried = row.querySelector(".js-carried");
        if (carried) { carried.remove(); }
      }
      row.querySelector(".js-row-unsaved").classList.add("d-none");
      if (result.status === "merged") { showPanel(key, "info", [result.message], null, []); } else { clearPanel(key); }
      return true;
    }
    if (result.status === "conflict") {
      var fields = (result.merge && result.merge.fields) || [];
      var note = fields.length ? fmt(gettext("Both of you changed: %(fields)s."), { fields: fields.join(", ") }, true) : "";
      var current = result.current || {};
      var holder = el("div", "my-2");
      holder.appendChild(renderDiff(wordDiff(describeValues(current), describeValues(rowState(row).values))).box);
      showPanel(key, "danger", [result.errors[0], note], holder, [
        button(gettext("Keep mine"), "btn-danger", function () { field(row, "version").value = result.version; clearPanel(key); changed(true); }),
        button(gettext("Use theirs"), "btn-outline-secondary", function () {
          applyRowValues(row, current);
          field(row, "version").value = result.version;
          clearPanel(key);
          changed(true);
        })
      ]);
      return false;
    }
    if (result.status === "missing") {
      showPanel(key, "danger", result.errors, null, [
        button(gettext("Add it back as a new row"), "btn-danger", function () {
          field(row, "id").value = ""; field(row, "version").value = "0"; clearPanel(key); changed(true);
        }),
        button(gettext("Discard my text"), "btn-outline-secondary", function () { row.remove(); renumber(); keepLocalCopy(); })
      ]);
      return false;
    }
    if (result.status === "invalid") {
      showPanel(key, "danger", result.errors, null, []);
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

  function sentState() {
    var sent = { rows: {} };
    form.querySelectorAll("textarea").forEach(function (box) { if (box.name) { sent[box.name] = box.value; } });
    rowElements().forEach(function (row) { sent.rows[row.dataset.prefix] = rowState(row).values; });
    return sent;
  }

  function save() {
    timer = null;
    if (inFlight || !editable) { return; }
    dirty = false;
    var data = new FormData(form);
    data.set("autosave", "1");
    var sent = sentState();
    setStatus(gettext("Saving…"));
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
      var allGood = body.results.map(function (result) { return handleResult(result, sent); }).every(Boolean);
      updateQuestionState(body);
      if (allGood && dirty) {
        // Typed again while this save was on its way: not all of it is saved yet.
        keepLocalCopy();
        setStatus(gettext("Unsaved changes…"));
      } else if (allGood) {
        var merged = body.results.filter(function (r) { return r.status === "merged"; }).length;
        setStatus(fmt(merged ? gettext("Saved at %(time)s, merged with a colleague's change.") : gettext("Saved at %(time)s."), { time: body.saved_at }, true));
        dropLocalCopy(); // the server has it all: the local copy is no longer needed
      } else {
        keepLocalCopy();
        setStatus(gettext("Some changes were not saved: see the messages above. Your text is kept."), "danger");
      }
    }).catch(function (error) {
      dirty = true;
      keepLocalCopy();
      if (error.kind === "session") {
        setStatus(gettext("Not saved: your session has expired. Log in again in another tab; your text is kept in this browser and will be saved then."), "danger");
      } else if (error.kind === "forbidden") {
        setStatus(gettext("Not saved: the server refused the request. Reload the page; your text is kept in this browser and will be offered back."), "danger");
      } else if (error.kind === "refused") {
        setStatus(error.message, "danger");
        dirty = false;
        return;
      } else if (error.kind === "unavailable") {
        setStatus(error.message, "danger");
      } else if (error.kind === "server") {
        setStatus(gettext("Not saved: the server had a problem. Your text is kept in this browser; trying again shortly."), "danger");
      } else {
        setStatus(gettext("Not saved: the server cannot be reached. Your text is kept in this browser; trying again shortly."), "danger");
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
    lastTyped = Date.now();
    keepLocalCopy();
    setStatus(gettext("Unsaved changes…"));
    if (timer) { clearTimeout(timer); }
    if (inFlight) { return; }
    timer = setTimeout(save, immediately ? 0 : DEBOUNCE_MS);
  }

  // ---- who else is here, and what they saved -----------------------------------------------

  var liveUrl = form.dataset.liveUrl;
  var tocWrapper = document.getElementById("toc");
  var presenceEl = document.getElementById("presence");

  function knownVersions() {
    var known = {};
    form.querySelectorAll(".answer[data-prefix]").forEach(function (section) {
      known[section.dataset.prefix] = parseInt(form.elements.namedItem(section.dataset.prefix + "-version").value || "0", 10);
    });
    rowElements().forEach(function (row) {
      var id = field(row, "id").value;
      if (id) { known["row-" + id] = parseInt(field(row, "version").value || "0", 10); }
    });
    return known;
  }

  function showPresence(present) {
    var here = present.filter(function (p) { return p.question === form.dataset.number; });
    var typing = here.filter(function (p) { return p.editing; }).map(function (p) { return p.name; });
    var reading = here.filter(function (p) { return !p.editing; }).map(function (p) { return p.name; });
    var parts = [];
    if (typing.length) { parts.push(fmt(gettext("%(names)s editing this question"), { names: typing.join(", ") }, true)); }
    if (reading.length) { parts.push(fmt(gettext("%(names)s also here"), { names: reading.join(", ") }, true)); }
    presenceEl.replaceChildren();
    if (parts.length) { presenceEl.appendChild(el("span", "badge text-bg-warning presence-badge", parts.join(" · "))); }
    if (!tocWrapper) { return; }
    tocWrapper.querySelectorAll("li[data-question]").forEach(function (item) {
      var box = item.querySelector(".js-toc-presence");
      if (!box) { return; }
      box.replaceChildren();
      present.filter(function (p) { return p.question === item.dataset.question; }).forEach(function (p) {
        var badge = el("span", "badge rounded-pill text-bg-warning", p.name);
        badge.title = p.editing ? fmt(gettext("%(name)s is editing"), { name: p.name }, true) : fmt(gettext("%(name)s has it open"), { name: p.name }, true);
        box.appendChild(badge);
      });
    });
  }

  function applyLive(body) {
    // A box the person has not touched takes what a colleague saved, in place.
    Object.keys(body.answers || {}).forEach(function (prefix) {
      var entry = body.answers[prefix];
      var version = form.elements.namedItem(prefix + "-version");
      var textarea = form.elements.namedItem(prefix + "-text");
      if (!version || entry.text === undefined || touched[prefix] || inFlight) { return; }
      if (textarea) { textarea.value = entry.text; updateCounter(textarea); }
      version.value = entry.version;
      showPanel(prefix, "info", [entry.by ? fmt(gettext("%(name)s saved a new version: it is shown here."), { name: entry.by }, true) : gettext("A colleague saved a new version: it is shown here.")], null, []);
    });
    var others = 0;
    Object.keys(body.rows || {}).forEach(function (id) {
      var entry = body.rows[id];
      var row = rowElements().filter(function (r) { return field(r, "id").value === id; })[0];
      if (!row) { others++; return; }
      if (!entry.values || touched[row.dataset.prefix] || inFlight) { return; }
      applyRowValues(row, entry.values);
      field(row, "version").value = entry.version;
    });
    var notice = form.querySelector(".js-rows-elsewhere");
    if (notice) { notice.classList.toggle("d-none", !others); }
    if (body.toc && tocWrapper) {
      tocWrapper.innerHTML = body.toc;
      tocWrapper.dataset.tocKey = body.toc_key;
    }
    showPresence(body.present || []);
  }

  function beat() {
    if (document.hidden) { return; }
    var data = new FormData();
    data.set("csrfmiddlewaretoken", csrfToken());
    data.set("editing", Date.now() - lastTyped < 30000 ? "1" : "0");
    data.set("versions", JSON.stringify(knownVersions()));
    data.set("toc", tocWrapper ? tocWrapper.dataset.tocKey || "" : "");
    fetch(liveUrl, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      if (body) { applyLive(body); }
    }).catch(function () { /* the next beat tries again */ });
  }

  function leave() {
    if (!navigator.sendBeacon) { return; }
    var data = new FormData();
    data.set("csrfmiddlewaretoken", csrfToken());
    data.set("leave", "1");
    navigator.sendBeacon(liveUrl, data);
  }

  // ---- wiring -----------------------------------------------------------------------------

  bindCounters(form.querySelector(".answer") ? form : document.createElement("div"));
  rowElements().forEach(bindRow);
  if (tableSection) {
    renumber();
    var keys = form.querySelector(".js-row-keys");
    if (keys) { keys.classList.remove("d-none"); }
    var skip = document.querySelector(".js-skip-to-rows");
    if (skip) {
      skip.addEventListener("click", function (event) {
        var target = summaries().filter(function (s) { return s.tabIndex === 0; })[0];
        if (target) { event.preventDefault(); target.focus(); }
      });
    }
  }
  var addButton = form.querySelector(".js-add-row");
  if (addButton) { addButton.addEventListener("click", function () { addRow(true); }); }

  form.addEventListener("input", function (event) {
    if (!event.target.name || event.target.name === "autosave") { return; }
    var section = event.target.closest(".answer[data-prefix]");
    if (section) { touched[section.dataset.prefix] = true; }
    changed(false);
  });
  form.addEventListener("change", function (event) {
    if (event.target.type !== "checkbox" || /-DELETE$/.test(event.target.name) || !event.target.name) { return; }
    var section = event.target.closest(".answer[data-prefix]");
    if (section) { touched[section.dataset.prefix] = true; }
    changed(false);
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
      setStatus(gettext("Saving…"));
      waiting.finally(function () { form.submit(); });
    }
  });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      if (!editable) { return; }
      if (dirty || timer) { changed(true); } else if (!inFlight) { setStatus(gettext("Everything is saved.")); }
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && (dirty || inFlight)) { event.preventDefault(); event.returnValue = ""; }
  });
  window.addEventListener("pagehide", leave);

  // The sticky Save bar never covers what has the focus: the page keeps that much room at
  // the bottom when it scrolls a field into view (on a phone the bar wraps to two lines).
  var saveBar = form.querySelector(".save-bar");
  if (saveBar && window.ResizeObserver) {
    new ResizeObserver(function () {
      document.documentElement.style.scrollPaddingBottom = (saveBar.offsetHeight + 16) + "px";
    }).observe(saveBar);
  }

  form.addEventListener("focusin", function (event) {
    // An SDG toggle's checkbox is hidden: what must come into view is its label.
    if (!event.target.classList.contains("btn-check")) { return; }
    var label = form.querySelector("label[for='" + event.target.id + "']");
    if (label) { label.scrollIntoView({ block: "nearest" }); }
  });

  if (editable) { offerLocalCopy(); }
  if (liveUrl) {
    beat();
    setInterval(beat, HEARTBEAT_MS);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { beat(); } });
  }
})();
