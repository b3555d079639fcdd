// The session page's service worker (served by sessions_app/views/offline.py, which puts
// self.OFFLINE_SETTINGS in front of this file). It controls /sessions/ only.
//
// - A session page opened online is kept, with the site's assets, so that it opens again
//   with no signal (network first: online, the phone always gets today's page).
// - Any other page of /sessions/ (consent, uploads, history...) needs the network; without
//   it the worker answers with the offline page, which says so.
// - Nothing is kept longer than a signed-in session can last (maxAgeSeconds); signing
//   out empties it all (the server's Clear-Site-Data header), and a session page answered
//   with a redirect to sign in (signed out after being idle) drops every kept page.
// - It never touches a POST: the page queues its saves itself (session-offline.js).
"use strict";

var SETTINGS = self.OFFLINE_SETTINGS;
var CACHE = SETTINGS.cacheName;
var SESSION_PAGE = new RegExp(SETTINGS.sessionPagePattern);
var KEPT_AT = "x-kept-at";

function keyFor(url) {
  var parsed = new URL(url, self.location.origin);
  // A session page is one page whatever its query (?sent=... after a queued save).
  return SESSION_PAGE.test(parsed.pathname) ? parsed.origin + parsed.pathname : parsed.href;
}

function stamped(response) {
  return response.clone().blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set(KEPT_AT, String(Date.now()));
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: headers,
    });
  });
}

function keepable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

function put(url, response) {
  if (!keepable(response)) {
    return Promise.resolve();
  }
  return Promise.all([caches.open(CACHE), stamped(response)]).then(function (both) {
    return both[0].put(keyFor(url), both[1]);
  });
}

function fresh(response) {
  var kept = Number(response.headers.get(KEPT_AT) || 0);
  return Date.now() - kept < SETTINGS.maxAgeSeconds * 1000;
}

function kept(url) {
  var key = keyFor(url);
  return caches.open(CACHE).then(function (cache) {
    return cache.match(key, { ignoreVary: true }).then(function (response) {
      if (response && !fresh(response)) {
        return cache.delete(key).then(function () {
          return undefined;
        });
      }
      return response;
    });
  });
}

function fetchAndKeep(url) {
  return fetch(url, { credentials: "same-origin" }).then(function (response) {
    return put(url, response);
  });
}

function dropExpired() {
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(
        requests.map(function (request) {
          return kept(request.url);
        })
      );
    });
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    fetchAndKeep(SETTINGS.offlineUrl)
      .catch(function () {
        return undefined;
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name !== CACHE && name.indexOf("session-pages-") === 0;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(dropExpired)
      .then(function () {
        return self.clients.claim();
      })
  );
});

// The page, opened before this worker controlled it, asks for itself and its assets.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) {
    event.waitUntil(
      Promise.all(
        data.urls.map(function (url) {
          return fetchAndKeep(url).catch(function () {
            return undefined;
          });
        })
      )
    );
  }
});

function networkFirst(request, isPage) {
  return fetch(request)
    .then(function (response) {
      if (isPage && (response.redirected || response.type === "opaqueredirect")) {
        // A session page answered with the way to sign in: signed out (after being idle,
        // say). Keep nothing of anyone's. (The page's queue stays, for the same person
        // to send after signing in again; see session-offline.js.)
        return caches.delete(CACHE).then(function () {
          return response;
        });
      }
      return put(request.url, response).then(function () {
        return response;
      });
    })
    .catch(function () {
      return kept(request.url).then(function (response) {
        if (response) {
          return response;
        }
        return isPage ? kept(SETTINGS.offlineUrl) : Response.error();
      });
    });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  var isPage = request.mode === "navigate";
  if (isPage && SESSION_PAGE.test(url.pathname)) {
    event.respondWith(networkFirst(request, true));
  } else if (isPage) {
    event.respondWith(
      fetch(request).catch(function () {
        return kept(SETTINGS.offlineUrl).then(function (response) {
          return response || Response.error();
        });
      })
    );
  } else if (url.pathname.indexOf(SETTINGS.staticUrl) === 0) {
    event.respondWith(networkFirst(request, false));
  }
});
