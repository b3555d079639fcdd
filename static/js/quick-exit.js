// Quick exit on participants' pages: leave for a neutral site and replace this page in
// the history, so Back does not return to it. Without script the link still leaves.
(function () {
  "use strict";
  var button = document.getElementById("quick-exit");
  if (!button) {
    return;
  }
  button.addEventListener("click", function (event) {
    event.preventDefault();
    window.location.replace(button.href);
  });
  // Escape leaves too: quicker than finding the button.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      window.location.replace(button.href);
    }
  });
})();
