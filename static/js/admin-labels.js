// Names for the admin's autocomplete boxes (select2), which draw a text box
// without a label: each takes the name of its field's label, and keeps it as
// select2 redraws the boxes.
"use strict";
(function () {
  function name(box) {
    var match = /^select2-(.+)-container$/.exec(box.id || "");
    var label = match && document.querySelector('label[for="' + match[1] + '"]');
    if (label && !box.getAttribute("aria-label")) {
      box.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
    }
  }
  function nameAll() {
    document.querySelectorAll(".select2-selection__rendered").forEach(name);
  }
  document.addEventListener("DOMContentLoaded", function () {
    nameAll();
    new MutationObserver(nameAll).observe(document.body, { childList: true, subtree: true });
  });
})();
