/*
 * An export's page while the file is being made: asks for its state every second and a half,
 * says it, and once the file is ready shows its link and starts the download (the page
 * stays); a failure shows the "Try again" button. Without JavaScript the page reloads itself.
 */
(function () {
  "use strict";
  var t = window.gettext || function (s) { return s; };
  var box = document.getElementById("export-job");
  if (!box || box.dataset.status === "ready" || box.dataset.status === "failed") { return; }
  var message = box.querySelector(".js-export-message");
  var spinner = box.querySelector(".js-export-spinner");
  var ready = box.querySelector(".js-export-ready");
  var link = box.querySelector(".js-export-download");
  var filename = box.querySelector(".js-export-filename");
  var failed = box.querySelector(".js-export-failed");
  var hint = box.querySelector(".js-export-hint");
  var misses = 0;

  function show(state) {
    message.textContent = state.message;
    box.dataset.status = state.status;
    if (!state.finished) { return false; }
    spinner.classList.add("d-none");
    if (hint) { hint.classList.add("d-none"); }
    if (state.status === "ready") {
      link.href = state.download_url;
      filename.textContent = state.filename;
      ready.classList.remove("d-none");
      link.focus();
      window.location.assign(state.download_url);
    } else {
      message.classList.add("alert", "alert-danger", "flex-grow-1");
      failed.classList.remove("d-none");
    }
    return true;
  }

  function poll() {
    fetch(box.dataset.statusUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (state) {
      misses = 0;
      if (!show(state)) { setTimeout(poll, 1500); }
    }).catch(function () {
      misses += 1;
      message.textContent = t("The server cannot be reached just now; trying again…");
      setTimeout(poll, Math.min(10000, 1500 * (misses + 1)));
    });
  }

  setTimeout(poll, 1000);
})();
