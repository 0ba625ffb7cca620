// The learner app's service worker: the app shell and the lesson audio stay on the phone,
// so a lesson started online can be finished without a connection (the answers wait in
// api.js's outbox). Pages come from the network first, so Back never shows old data while
// online; the API is never cached here, except the audio, whose URLs never change.
const SHELL = "sanapaja-shell-v1";
const PAGES = "sanapaja-pages-v1";
const AUDIO = "sanapaja-audio";
const KEEP = new Set([SHELL, PAGES, AUDIO]);
// The offline page is kept by the page itself, in the learner's language (config.js).
const SHELL_FILES = [
  "/static/learner/app.css",
  "/static/learner/settings.css",
  "/static/learner/config.js",
  "/static/learner/api.js",
  "/static/learner/home.js",
  "/static/learner/join.js",
  "/static/learner/lesson.js",
  "/static/learner/recorder.js",
  "/static/learner/capture-worklet.js",
  "/static/learner/manifest.webmanifest",
  "/static/learner/icon-192.png",
  ...["1F50A", "1F422", "1F3A4", "23F9", "1F5E3", "1F389", "2714", "274C", "2716"].map(
    (code) => `/openmoji/${code}.svg`,
  ),
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(SHELL_FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => !KEEP.has(name)).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  } else if (url.pathname.startsWith("/api/v1/audio/")) {
    event.respondWith(audio(request));
  } else if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/openmoji/")) {
    event.respondWith(shell(request));
  }
});

// The network first; offline, the last copy of this page, or the offline page.
async function page(request, url) {
  try {
    const response = await fetch(request);
    if (response.ok && (url.pathname === "/" || url.pathname.startsWith("/lesson/"))) {
      const cache = await caches.open(PAGES);
      await cache.put(url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    const kept = (await caches.match(url.pathname)) || (await caches.match("/offline"));
    if (kept) return kept;
    throw error;
  }
}

// Audio never changes at its URL: from the cache when there, else fetched and kept.
async function audio(request) {
  const cache = await caches.open(AUDIO);
  const url = request.url.split("#")[0];
  const kept = await cache.match(url);
  if (kept) return kept;
  const response = await fetch(url);
  if (response.ok) await cache.put(url, response.clone());
  return response;
}

// Shell files from the cache: the cache's name changes with the files (web.py), so a
// changed file comes with a new worker, and nothing is fetched twice on a slow line.
async function shell(request) {
  const cache = await caches.open(SHELL);
  const kept = await cache.match(request, { ignoreSearch: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}
