/*
 * "Copy text": the text to paste into UN DESA's form (a question's, or the whole
 * submission's, in the layout of the text export), put on the clipboard.
 */
(function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };
  document.querySelectorAll(".js-copy-text").forEach(function (copyButton) {
    if (!navigator.clipboard) { return; }
    copyButton.classList.remove("d-none");
    copyButton.addEventListener("click", function () {
      var label = copyButton.textContent;
      fetch(copyButton.dataset.url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      }).then(function (text) {
        return navigator.clipboard.writeText(text);
      }).then(function () {
        copyButton.textContent = gettext("Copied");
      }).catch(function () {
        copyButton.textContent = gettext("Could not copy");
      }).finally(function () {
        setTimeout(function () { copyButton.textContent = label; }, 2500);
      });
    });
  });
})();
