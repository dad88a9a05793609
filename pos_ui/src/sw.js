// The app shell's service worker, written into dist/ by build.mjs with the
// build's file list. The box API is never cached here: sales and carts live
// on the box (and unconfirmed sales in IndexedDB, see outbox.ts).
const VERSION = "__VERSION__";
const SHELL = __SHELL__;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("pos-") && k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith("/pos/")) return;
  if (url.pathname.startsWith("/pos/assets/")) {
    // Hashed names never change content: the cache first.
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  // The page itself: the box's current one when it answers, else the cached shell.
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && url.pathname === "/pos/") {
          const copy = response.clone();
          caches.open(VERSION).then((cache) => cache.put("/pos/", copy));
        }
        return response;
      })
      .catch(() => caches.match("/pos/").then((hit) => hit || Response.error())),
  );
});
