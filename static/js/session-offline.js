// The session page keeps working with no signal.
//
// - It registers the service worker (session-worker.js), which keeps this page and its
//   assets on the phone so it opens again offline.
// - Offline, a Save does not go to the server: what the form holds is kept on the phone
//   (IndexedDB), one entry per session, with a new idempotency key, and the page says
//   "saved on this phone, not yet sent". A later Save replaces it (it holds everything).
// - When the connection comes back (or the page is opened online), the page reloads from
//   the server and posts the kept change with its key, as an ordinary Save: the server
//   applies it once, or refuses it with the usual rules, and the page it answers with says
//   which. The phone forgets the entry as soon as the server has answered for its key.
// - Recording consent and uploads need the server: offline, their links say so.
// - An entry never outlives a signed-in session (maxAge) and belongs to one person: a
//   different person signed in on the phone never sends, or sees, another's entry.
(function () {
  "use strict";
  var form = document.getElementById("session-form");
  if (!form || !form.hasAttribute("data-offline-session") || !window.indexedDB) {
    return;
  }
  var session = form.getAttribute("data-offline-session");
  var user = form.getAttribute("data-offline-user");
  var answered = form.getAttribute("data-offline-sent");
  var maxAge = Number(form.getAttribute("data-offline-max-age")) * 1000;
  var status = document.getElementById("offline-status");
  var onlineOnly = document.querySelectorAll("[data-online-only]");
  var onlineOnlyNote = document.getElementById("online-only-note");
  var pending = null;
  var sending = false;

  // --- The queue: one IndexedDB store, keyed by session ------------------------------------

  function database() {
    return new Promise(function (resolve, reject) {
      var opening = window.indexedDB.open("session-queue", 1);
      opening.onupgradeneeded = function () {
        opening.result.createObjectStore("changes", { keyPath: "session" });
      };
      opening.onsuccess = function () {
        resolve(opening.result);
      };
      opening.onerror = function () {
        reject(opening.error);
      };
    });
  }

  function withStore(mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction("changes", mode);
        var request = work(transaction.objectStore("changes"));
        transaction.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        transaction.onerror = function () {
          db.close();
          reject(transaction.error);
        };
      });
    });
  }

  function forget() {
    pending = null;
    return withStore("readwrite", function (store) {
      return store.delete(session);
    });
  }

  function newKey() {
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (byte) {
        return (byte + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join(
      "-"
    );
  }

  // --- What the page shows ---------------------------------------------------------------

  function say(kind) {
    if (!status) {
      return;
    }
    status.querySelectorAll("[data-offline-message]").forEach(function (message) {
      message.hidden = message.getAttribute("data-offline-message") !== kind;
    });
    status.hidden = !kind;
  }

  function showConnection() {
    var offline = !navigator.onLine;
    onlineOnly.forEach(function (link) {
      link.classList.toggle("disabled", offline);
      if (offline) {
        link.setAttribute("aria-disabled", "true");
      } else {
        link.removeAttribute("aria-disabled");
      }
    });
    if (onlineOnlyNote) {
      onlineOnlyNote.hidden = !offline;
    }
    if (!pending) {
      say(offline ? "offline" : "");
    }
  }

  onlineOnly.forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!navigator.onLine) {
        event.preventDefault();
      }
    });
  });

  // Put a kept entry's values back on the form, so the page shows what is waiting.
  function fill(pairs) {
    var values = {};
    pairs.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || ["submit", "hidden", "file", "button"].indexOf(field.type) !== -1) {
        return;
      }
      var wanted = values[field.name] || [];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = wanted.indexOf(field.value) !== -1;
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = wanted.indexOf(option.value) !== -1;
        });
      } else if (wanted.length) {
        field.value = wanted[0];
      }
    });
  }

  // --- Keeping and sending ---------------------------------------------------------------

  form.addEventListener("submit", function (event) {
    if (navigator.onLine) {
      return; // online: an ordinary Save
    }
    event.preventDefault();
    var pairs = [];
    new FormData(form, event.submitter).forEach(function (value, name) {
      if (typeof value === "string") {
        pairs.push([name, value]);
      }
    });
    var entry = { session: session, user: user, key: newKey(), pairs: pairs, keptAt: Date.now() };
    withStore("readwrite", function (store) {
      return store.put(entry);
    }).then(function () {
      pending = entry;
      say("kept");
      form.dispatchEvent(new CustomEvent("session:kept"));
    });
  });

  // Post the kept entry as the form would have, with this page's own CSRF token (the kept
  // one may be from before a new sign-in) and the entry's key.
  function send() {
    if (!pending || sending) {
      return;
    }
    sending = true;
    say("sending");
    var post = document.createElement("form");
    post.method = "post";
    post.action = form.action;
    post.hidden = true;
    function add(name, value) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      post.appendChild(input);
    }
    var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
    pending.pairs.forEach(function (pair) {
      if (pair[0] !== "csrfmiddlewaretoken" && pair[0] !== "offline_key") {
        add(pair[0], pair[1]);
      }
    });
    add("csrfmiddlewaretoken", token);
    add("offline_key", pending.key);
    document.body.appendChild(post);
    form.dispatchEvent(new CustomEvent("session:kept"));
    post.submit();
  }

  window.addEventListener("offline", showConnection);
  window.addEventListener("online", function () {
    showConnection();
    if (pending) {
      // From the server, with a fresh page (and token), which then sends.
      window.location.reload();
    }
  });

  // Signing out with something still kept here loses it: ask first. (The server's answer
  // to signing out empties everything the site kept on this phone.)
  document.querySelectorAll("form[data-sign-out]").forEach(function (signOut) {
    signOut.addEventListener("submit", function (event) {
      var question = status && status.getAttribute("data-sign-out-question");
      if (pending && question && !window.confirm(question)) {
        event.preventDefault();
      }
    });
  });

  withStore("readonly", function (store) {
    return store.get(session);
  })
    .then(function (entry) {
      if (!entry) {
        return undefined;
      }
      if (entry.user !== user || entry.key === answered || Date.now() - entry.keptAt > maxAge) {
        return forget();
      }
      pending = entry;
      fill(entry.pairs);
      say("kept");
      form.dispatchEvent(new CustomEvent("session:kept"));
      if (navigator.onLine) {
        send();
      }
      return undefined;
    })
    .then(showConnection);

  if (answered && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.hash);
  }

  if ("serviceWorker" in navigator) {
    var controlled = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker
      .register(form.getAttribute("data-offline-worker"), { scope: form.getAttribute("data-offline-scope") })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        if (controlled || !registration.active) {
          return;
        }
        // Opened before the worker was there: ask it to keep this page and its assets.
        var urls = [window.location.pathname];
        document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (asset) {
          urls.push(asset.getAttribute("href") || asset.getAttribute("src"));
        });
        registration.active.postMessage({ type: "keep", urls: urls });
      })
      .catch(function () {
        return undefined; // no worker (a private window, say): the page still queues
      });
  }
})();
