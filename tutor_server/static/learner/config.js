// The page's settings, read from a JSON data block so the page needs no inline script.
window.SANAPAJA = JSON.parse(document.getElementById("sanapaja-config").textContent);

// Installable and usable offline: the service worker keeps the shell and lesson audio.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {}));
}
