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

// Labels: offer only the formats the chosen template prints, and show the
// fields of the chosen "what to print" (the hub checks both again).
(function () {
  "use strict";

  var form = document.querySelector("[data-labels-form]");
  if (!form) {
    return;
  }
  var format = form.querySelector("select[data-label-format]");

  function chosen(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  function update() {
    var template = chosen("template");
    if (format && template) {
      var first = null;
      Array.prototype.forEach.call(format.options, function (option) {
        var offered = option.getAttribute("data-templates").split(" ").indexOf(template) >= 0;
        option.disabled = !offered;
        option.hidden = !offered;
        if (offered && first === null) {
          first = option;
        }
      });
      if (format.selectedOptions[0] && format.selectedOptions[0].disabled && first) {
        format.value = first.value;
      }
    }
    var source = chosen("source");
    form.querySelectorAll("[data-source-panel]").forEach(function (panel) {
      var shown = panel.getAttribute("data-source-panel") === source;
      panel.hidden = !shown && !panel.querySelector(".has-error");
    });
  }

  form.addEventListener("change", update);
  update();
})();
