// The signed-in pages' session clock (accounts/session_limits.py holds the rules).
// - Typing, clicks and scrolls are activity: while someone is active the page tells the
//   server (the keep-alive, at most every data-ping-seconds), so typing a long session
//   log without saving does not sign them out.
// - A minute before the end a warning (role=alertdialog) offers to stay signed in; at the
//   end the page goes to the sign-in page, coming back here after.
// - What is typed in the page's forms is kept in this tab's sessionStorage as it is
//   typed (never passwords, codes or files) and put back after signing in again; it is
//   cleared when the form is sent and on signing out.
(function () {
  "use strict";
  var box = document.getElementById("idle-timeout");
  // Participants' pages (/f/, /r/) never keep anything.
  if (!box || /^\/(f|r)\//.test(window.location.pathname)) {
    return;
  }
  var data = box.dataset;
  var warningMs = Number(data.warningSeconds) * 1000;
  var pingMs = Number(data.pingSeconds) * 1000;
  var DRAFT_PREFIX = "draft:";
  var SIGNED_OUT = "draft-signed-out-user";
  var RETRY_MS = 5000;

  var deadline = Date.now() + Number(data.secondsLeft) * 1000;
  var lastPing = Date.now(); // the page's own request counted as activity
  var activeSincePing = false;
  var timer = null;
  var leaving = false;
  var focusBefore = null;

  // --- Leaving at the end -----------------------------------------------------------

  // Registered before the page's own scripts, so leaving at the end skips their
  // "unsaved changes" prompt: what was typed is kept (below).
  window.addEventListener("beforeunload", function (event) {
    if (leaving) {
      event.stopImmediatePropagation();
    }
  });

  function goToSignIn() {
    saveAllDrafts();
    try {
      window.sessionStorage.setItem(SIGNED_OUT, data.user);
    } catch (error) {
      // Storage refused (private mode): nothing is kept, the sign-in still happens.
    }
    leaving = true;
    var here = window.location.pathname + window.location.search;
    window.location.assign(data.loginUrl + "?next=" + encodeURIComponent(here));
  }

  // --- The clock --------------------------------------------------------------------

  function schedule() {
    window.clearTimeout(timer);
    var left = deadline - Date.now();
    if (left <= 0) {
      check();
    } else if (left <= warningMs) {
      showWarning();
      timer = window.setTimeout(check, left + 1000);
    } else {
      hideWarning();
      timer = window.setTimeout(check, left - warningMs);
    }
  }

  // Asks the server (another tab may have kept the sign-in going); POST counts as activity.
  function keepalive(method) {
    var headers = { Accept: "application/json" };
    if (method === "POST") {
      headers["X-CSRFToken"] = data.csrf;
      lastPing = Date.now();
      activeSincePing = false;
    }
    return window
      .fetch(data.keepaliveUrl, {
        method: method,
        headers: headers,
        credentials: "same-origin",
        redirect: "error",
      })
      .then(function (response) {
        if (response.status === 401) {
          return { signed_in: false };
        }
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (answer) {
        if (!answer.signed_in) {
          goToSignIn();
          return;
        }
        deadline = Date.now() + answer.seconds_left * 1000;
        box.querySelectorAll("[data-reason]").forEach(function (span) {
          span.hidden = span.getAttribute("data-reason") !== answer.reason;
        });
        schedule();
      })
      .catch(function () {
        // Offline or a server error: keep the local clock and ask again in a moment.
        window.clearTimeout(timer);
        timer = window.setTimeout(schedule, RETRY_MS);
      });
  }

  function check() {
    keepalive("GET");
  }

  function activity() {
    if (leaving) {
      return;
    }
    if (Date.now() >= deadline) {
      check(); // a laptop woken after the end: the server decides
      return;
    }
    activeSincePing = true;
    var warned = !box.hidden;
    if (warned || Date.now() - lastPing >= pingMs) {
      keepalive("POST");
    }
  }

  function showWarning() {
    if (!box.hidden) {
      return;
    }
    focusBefore = document.activeElement;
    box.hidden = false;
    box.querySelector("[data-stay-signed-in]").focus();
  }

  function hideWarning() {
    if (box.hidden) {
      return;
    }
    box.hidden = true;
    if (focusBefore && focusBefore.focus && document.contains(focusBefore)) {
      focusBefore.focus();
    }
    focusBefore = null;
  }

  box.querySelector("[data-stay-signed-in]").addEventListener("click", function (event) {
    event.stopPropagation();
    keepalive("POST");
  });
  ["keydown", "input", "pointerdown", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, activity, { capture: true, passive: true });
  });
  window.addEventListener("scroll", activity, { passive: true });
  // Timers sleep with the laptop: look again when the page is seen again.
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      schedule();
    }
  });
  // Activity shortly before a ping was due is sent while still active.
  window.setInterval(function () {
    if (activeSincePing && Date.now() - lastPing >= pingMs && Date.now() < deadline) {
      keepalive("POST");
    }
  }, Math.max(1000, pingMs / 2));

  // --- Keeping what was typed ---------------------------------------------------------

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null;
    }
  }

  function pathOf(url) {
    try {
      return new URL(url, window.location.href).pathname;
    } catch (error) {
      return "";
    }
  }

  var logoutPath = pathOf(data.logoutUrl);

  function draftForms() {
    return Array.prototype.filter.call(document.forms, function (form) {
      var action = pathOf(form.getAttribute("action") || window.location.href);
      return (
        (form.getAttribute("method") || "get").toLowerCase() === "post" &&
        !form.hasAttribute("data-no-draft") &&
        action !== logoutPath &&
        !form.querySelector("input[name=language], input[type=password]")
      );
    });
  }

  function draftKey(form, index) {
    return (
      DRAFT_PREFIX + window.location.pathname + "|" + (form.id || form.getAttribute("action") || "") + "|" + index
    );
  }

  function keptField(field) {
    var type = (field.type || "").toLowerCase();
    var autocomplete = (field.getAttribute("autocomplete") || "").toLowerCase();
    return (
      field.name &&
      !field.disabled &&
      ["hidden", "password", "file", "submit", "button", "reset", "image"].indexOf(type) === -1 &&
      autocomplete !== "one-time-code" &&
      autocomplete.indexOf("password") === -1 &&
      field.name !== "csrfmiddlewaretoken"
    );
  }

  function readForm(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (field, position) {
      if (!keptField(field)) {
        return;
      }
      values[field.name + "#" + position] = readField(field);
    });
    return values;
  }

  function readField(field) {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked;
    }
    if (field.multiple && field.options) {
      return Array.prototype.filter
        .call(field.options, function (option) {
          return option.selected;
        })
        .map(function (option) {
          return option.value;
        });
    }
    return field.value;
  }

  function writeForm(form, values) {
    var changed = false;
    Array.prototype.forEach.call(form.elements, function (field, position) {
      var key = field.name + "#" + position;
      if (!keptField(field) || !(key in values)) {
        return;
      }
      var value = values[key];
      var before = JSON.stringify(readField(field));
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = value;
      } else if (field.multiple && field.options) {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = value.indexOf(option.value) !== -1;
        });
      } else {
        field.value = value;
      }
      if (JSON.stringify(readField(field)) !== before) {
        changed = true;
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
    return changed;
  }

  function saveDraft(form, index) {
    var store = storage();
    if (store) {
      try {
        store.setItem(draftKey(form, index), JSON.stringify(readForm(form)));
      } catch (error) {
        // Full or refused: the form itself still holds the text.
      }
    }
  }

  function saveAllDrafts() {
    draftForms().forEach(saveDraft);
  }

  function clearDrafts(prefix) {
    var store = storage();
    if (!store) {
      return;
    }
    for (var i = store.length - 1; i >= 0; i -= 1) {
      var key = store.key(i);
      if (key && key.indexOf(prefix) === 0) {
        store.removeItem(key);
      }
    }
  }

  function restoreDrafts() {
    var store = storage();
    if (!store) {
      return;
    }
    var signedOutUser = store.getItem(SIGNED_OUT);
    store.removeItem(SIGNED_OUT);
    if (signedOutUser !== data.user) {
      // Not back from an idle sign-out (or someone else signed in): nothing to put back,
      // and what an earlier visit left here is stale.
      clearDrafts(signedOutUser ? DRAFT_PREFIX : DRAFT_PREFIX + window.location.pathname + "|");
      return;
    }
    var restored = false;
    draftForms().forEach(function (form, index) {
      var key = draftKey(form, index);
      var kept = store.getItem(key);
      if (kept) {
        try {
          restored = writeForm(form, JSON.parse(kept)) || restored;
        } catch (error) {
          store.removeItem(key);
        }
      }
    });
    if (restored) {
      var template = document.getElementById("draft-restored-notice");
      var main = document.getElementById("main");
      if (template && main) {
        main.insertBefore(template.content.cloneNode(true), main.firstChild);
      }
    }
  }

  draftForms().forEach(function (form, index) {
    var save = function () {
      saveDraft(form, index);
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function (event) {
      if (Date.now() >= deadline + 1000) {
        // Sent after the end (the laptop slept): keep the text, sign in again first.
        event.preventDefault();
        goToSignIn();
        return;
      }
      var store = storage();
      if (store) {
        store.removeItem(draftKey(form, index));
      }
    });
  });

  // Signing out on purpose forgets everything kept in this tab.
  Array.prototype.forEach.call(document.forms, function (form) {
    if (pathOf(form.getAttribute("action") || window.location.href) === logoutPath) {
      form.addEventListener("submit", function () {
        clearDrafts(DRAFT_PREFIX);
        var store = storage();
        if (store) {
          store.removeItem(SIGNED_OUT);
        }
      });
    }
  });

  restoreDrafts();
  schedule();
})();
