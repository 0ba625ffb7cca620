// The API client: the token in localStorage, JSON calls, and an outbox of answers that
// waits out network errors (a retry with the same client_id is safe on the server).
const TOKEN = "sanapaja.token";
const LEARNER = "sanapaja.learner";
const OUTBOX = "sanapaja.outbox";

export const ui = window.SANAPAJA.strings;

export function t(key, params = {}) {
  let text = ui[key] || key;
  for (const [name, value] of Object.entries(params)) {
    text = text.replace(`%(${name})s`, value);
  }
  return text;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export function token() {
  return localStorage.getItem(TOKEN);
}

export function signIn(body) {
  localStorage.setItem(TOKEN, body.token);
  localStorage.setItem(LEARNER, JSON.stringify(body.learner));
  rememberLanguage(body.learner.support_language);
}

export function signOut() {
  localStorage.removeItem(TOKEN);
  localStorage.removeItem(LEARNER);
  localStorage.removeItem(OUTBOX);
}

export function rememberLanguage(language) {
  document.cookie = `${window.SANAPAJA.cookie}=${language}; path=/; max-age=31536000; samesite=lax`;
}

export async function api(method, path, body) {
  const headers = {};
  if (token()) headers.Authorization = `Bearer ${token()}`;
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(`/api/v1${path}`, { method, headers, body: payload });
  const data = response.status === 204 ? {} : await response.json();
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function outbox() {
  try {
    return JSON.parse(localStorage.getItem(OUTBOX) || "[]");
  } catch {
    return [];
  }
}

function saveOutbox(items) {
  localStorage.setItem(OUTBOX, JSON.stringify(items));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Post an answer until the server has it. A JSON answer waits in localStorage, so it
// survives a reload; `onOffline(true/false)` lets the page say that it is waiting.
export async function postAnswer(sessionId, body, onOffline = () => {}) {
  const isJson = !(body instanceof FormData);
  if (isJson) saveOutbox([...outbox(), { sessionId, body }]);
  const settled = () => {
    onOffline(false);
    if (isJson) saveOutbox(outbox().filter((item) => item.body.client_id !== body.client_id));
  };
  for (let wait = 1000; ; wait = Math.min(wait * 2, 15000)) {
    try {
      const result = await api("POST", `/sessions/${sessionId}/answers`, body);
      settled();
      return result;
    } catch (error) {
      if (error instanceof ApiError) {
        settled();
        throw error;
      }
      onOffline(true);
      await sleep(wait);
    }
  }
}

// Answers left over from an earlier visit (the page was closed while offline).
export async function flushOutbox() {
  for (const item of outbox()) {
    try {
      await api("POST", `/sessions/${item.sessionId}/answers`, item.body);
    } catch (error) {
      if (!(error instanceof ApiError)) return;
    }
    saveOutbox(outbox().filter((other) => other.body.client_id !== item.body.client_id));
  }
}

export function pictureUrl(picture) {
  const match = /^openmoji:([0-9A-Fa-f-]+)$/.exec(picture || "");
  return match ? `/openmoji/${match[1].toUpperCase()}.svg` : null;
}
