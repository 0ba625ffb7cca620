// The page's settings, read from a JSON data block so the page needs no inline script.
window.SANAPAJA = JSON.parse(document.getElementById("sanapaja-config").textContent);

// Installable and usable offline: the service worker keeps the shell and lesson audio.
// The offline page is kept once per language, for a reload without a connection.
const OFFLINE_KEPT = "sanapaja.offline-page";

async function keepOfflinePage() {
  const language = window.SANAPAJA.language;
  if (localStorage.getItem(OFFLINE_KEPT) === language) return;
  const response = await fetch(`/offline?lang=${language}`);
  if (!response.ok) return;
  await (await caches.open("sanapaja-pages-v1")).put("/offline", response);
  localStorage.setItem(OFFLINE_KEPT, language);
}

// Called by the home and lesson pages once they are on screen, so that on a slow line the
// worker's first download does not hold up the page (the join page, a first visit, never
// waits for it).
window.SANAPAJA.installOffline = () => {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker
    .register("/sw.js", { scope: "/" })
    .then(keepOfflinePage)
    .catch(() => {});
};
