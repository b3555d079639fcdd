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

  // A sent form's answer (the thank-you page, or the form with its errors) takes the
  // form's own place in the history instead of a new one, so quick exit from it leaves
  // no form behind the Back button. document.open() adds no history entry. Without
  // script, or if the request fails, the form is sent the ordinary way.
  var form = document.querySelector("form[data-answer-in-place]");
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams) {
    return;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var send = form.querySelector("[type=submit]");
    if (send) {
      send.disabled = true;
    }
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "omit",
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        document.open();
        document.write(html);
        document.close();
      })
      .catch(function () {
        form.submit(); // the nonce in the form makes a second arrival count once
      });
  });
})();
