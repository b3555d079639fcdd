// The session page is one form. Once something is changed, say so, offer a Save within
// reach, and warn before leaving the page with the changes unsaved.
(function () {
  "use strict";
  var form = document.querySelector("form[data-warn-unsaved]");
  if (!form) {
    return;
  }
  var bar = document.getElementById("unsaved-bar");
  // A page answered with errors holds what was typed and not saved.
  var unsaved = form.hasAttribute("data-unsaved");
  var submitting = false;

  function show() {
    if (bar) {
      bar.hidden = !unsaved;
      document.body.classList.toggle("has-unsaved-bar", unsaved);
    }
  }

  function changed() {
    unsaved = true;
    show();
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    submitting = true;
  });
  // Kept on the phone while offline (session-offline.js): nothing is lost by leaving.
  form.addEventListener("session:kept", function () {
    unsaved = false;
    submitting = false;
    show();
  });
  window.addEventListener("beforeunload", function (event) {
    if (unsaved && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // Coming back through the browser's history shows the page as it was left.
  window.addEventListener("pageshow", function () {
    submitting = false;
  });
  show();
})();
