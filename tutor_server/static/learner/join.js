import { api, ApiError, signIn, t } from "./api.js";

const form = document.getElementById("join-form");
const error = document.getElementById("join-error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const body = await api("POST", "/join", {
      code: form.dataset.code,
      display_name: form.display_name.value,
      support_language: form.dataset.language,
    });
    signIn(body);
    document.getElementById("recovery-code").textContent = body.recovery_code;
    document.getElementById("join").hidden = true;
    document.getElementById("joined").hidden = false;
  } catch (failure) {
    const unknown = failure instanceof ApiError && failure.body.error === "unknown_code";
    error.textContent = unknown ? t("unknown_code") : t("error");
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});
