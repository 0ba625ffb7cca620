// The page's settings, read from a JSON data block so the page needs no inline script.
window.SANAPAJA = JSON.parse(document.getElementById("sanapaja-config").textContent);
