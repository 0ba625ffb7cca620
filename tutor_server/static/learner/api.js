// The API client: the token in localStorage, JSON calls, and an outbox of answers given
// without a connection (a retry with the same client_id is safe on the server).
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
  // Never from the browser's cache: Back must not bring old progress or an old step.
  const response = await fetch(`/api/v1${path}`, { method, headers, body: payload, cache: "no-store" });
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

export class Offline extends Error {}

export async function send(method, path, body) {
  try {
    return await api(method, path, body);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new Offline(String(error));
  }
}

// Post an answer once; a network failure is an Offline error (the caller queues it).
export function postAnswer(sessionId, body) {
  return send("POST", `/sessions/${sessionId}/answers`, body);
}

export function pendingFor(sessionId) {
  return outbox().filter((item) => item.sessionId === sessionId).length;
}

function toBase64(buffer) {
  let text = "";
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

// An answer (or a lesson's end) kept in localStorage until the server has it, so it
// survives a reload; a recording goes in as base64.
export async function queueAnswer(sessionId, body) {
  let item = { sessionId, kind: "answer", body };
  if (body instanceof FormData) {
    const fields = {};
    for (const [name, value] of body.entries()) if (typeof value === "string") fields[name] = value;
    item = { sessionId, kind: "answer", body: fields, audio: toBase64(await body.get("audio").arrayBuffer()) };
  }
  saveOutbox([...outbox(), item]);
}

export function queueFinish(sessionId) {
  saveOutbox([...outbox(), { sessionId, kind: "finish", body: { client_id: `finish-${sessionId}` } }]);
}

function formOf(item) {
  const form = new FormData();
  for (const [name, value] of Object.entries(item.body)) form.append(name, value);
  const bytes = Uint8Array.from(atob(item.audio), (c) => c.charCodeAt(0));
  form.append("audio", new Blob([bytes], { type: "audio/wav" }), "try.wav");
  return form;
}

// An answer given offline is the learner's last word on its step: when the server says the
// step is not done yet (a wrong first try), the same answer is given again until it is.
async function deliver(item) {
  if (item.kind === "finish") return send("POST", `/sessions/${item.sessionId}/finish`);
  for (let attempt = 0; attempt < 5; attempt++) {
    const body = item.audio ? formOf(item) : { ...item.body };
    const id = attempt ? `${item.body.client_id}~${attempt}` : item.body.client_id;
    if (body instanceof FormData) body.set("client_id", id);
    else body.client_id = id;
    const result = await send("POST", `/sessions/${item.sessionId}/answers`, body);
    if (!result.verdict || result.verdict.step_done) return result;
  }
  return null;
}

// Send what waits, in order; false when the connection is still down.
export async function flushOutbox() {
  for (const item of outbox()) {
    try {
      await deliver(item);
    } catch (error) {
      if (error instanceof Offline) return false;
      // The server said no (e.g. the step was already answered elsewhere): drop the item.
    }
    saveOutbox(outbox().filter((other) => other.body.client_id !== item.body.client_id || other.kind !== item.kind));
  }
  return true;
}

export function pictureUrl(picture) {
  const match = /^openmoji:([0-9A-Fa-f-]+)$/.exec(picture || "");
  return match ? `/openmoji/${match[1].toUpperCase()}.svg` : null;
}
