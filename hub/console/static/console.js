// The console's one script; the CSP allows no inline script.
(function () {
  "use strict";

  // Invitation and recovery links carry their token in the URL fragment,
  // which the browser never sends to the hub: move it into the form, drop it
  // from the address bar (and history), and send the form if it asks to be.
  var input = document.querySelector("input[data-fragment-token]");
  var match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (input && match) {
    input.value = match[1];
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    var wrapper = input.closest("[data-token-field]");
    if (wrapper) {
      wrapper.hidden = true;
    }
    if (input.form && input.form.hasAttribute("data-auto-submit")) {
      input.form.submit();
    }
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
