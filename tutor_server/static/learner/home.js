import { api, ApiError, flushOutbox, rememberLanguage, signIn, signOut, t, token } from "./api.js";

const $ = (id) => document.getElementById(id);

function showError(element, key) {
  element.textContent = t(key);
  element.hidden = false;
}

async function startSession(body) {
  const session = await api("POST", "/sessions", body);
  location.href = `/lesson/${session.id}`;
}

function lessonButton(pack, lesson) {
  const button = document.createElement("button");
  button.className = "lesson big";
  button.dataset.lesson = lesson.id;
  const title = document.createElement("span");
  title.className = "title";
  title.textContent = lesson.title || lesson.title_fi;
  const finnish = document.createElement("span");
  finnish.className = "fi";
  finnish.lang = "fi";
  finnish.textContent = lesson.title_fi;
  const about = document.createElement("span");
  about.className = "about";
  const level = document.createElement("span");
  level.className = "level";
  level.textContent = lesson.level;
  level.title = t("level", { level: lesson.level });
  about.append(level);
  if (lesson.parts > 1 && lesson.parts_done > 0 && !lesson.finished) {
    const part = document.createElement("span");
    part.className = "part";
    part.textContent = t("lesson_part", { n: lesson.parts_done + 1, total: lesson.parts });
    about.append(part);
  }
  if (lesson.finished) {
    const done = document.createElement("span");
    done.className = "done";
    const tick = document.createElement("img");
    tick.src = "/openmoji/2714.svg";
    tick.alt = "";
    tick.className = "icon";
    done.append(tick, t("finished"));
    about.append(done);
  }
  button.append(title, finnish, about);
  button.addEventListener("click", () =>
    startSession({ kind: "lesson", pack_id: pack.id, lesson_id: lesson.id }).catch(() =>
      showError($("home-error"), "error"),
    ),
  );
  return button;
}

async function showHome() {
  await flushOutbox();
  const [me, reviews, progress, packs] = await Promise.all([
    api("GET", "/me"),
    api("GET", "/reviews"),
    api("GET", "/progress"),
    api("GET", "/packs"),
  ]);
  if (me.support_language !== window.SANAPAJA.language) {
    rememberLanguage(me.support_language);
    location.reload();
    return;
  }
  $("learner-name").textContent = me.display_name;
  $("due-text").textContent = reviews.due ? t("due", { n: reviews.due }) : t("nothing_due");
  const review = $("start-review");
  review.textContent = t("start_review");
  review.hidden = !reviews.due;
  review.onclick = () => startSession({ kind: "review" }).catch(() => showError($("home-error"), "error"));
  $("streak").textContent = t("streak", { n: progress.streak_days });
  $("words").textContent = t("words", { n: progress.words_practised });
  const list = $("packs");
  list.replaceChildren();
  // One folded card per pack, so many packs still fit on a phone; the pack being
  // worked on (or else the first) is open.
  const started = (pack) => pack.lessons.some((lesson) => lesson.finished || lesson.parts_done > 0);
  const openPack = packs.packs.find(started) || packs.packs[0];
  for (const pack of packs.packs) {
    const card = document.createElement("details");
    card.className = "card pack";
    card.dataset.pack = pack.id;
    card.open = pack === openPack;
    const heading = document.createElement("summary");
    const name = document.createElement("span");
    name.className = "pack-title";
    name.textContent = pack.title || pack.title_fi;
    const count = document.createElement("span");
    count.className = "pack-count";
    count.dir = "ltr";
    count.textContent = `${pack.lessons.filter((lesson) => lesson.finished).length} / ${pack.lessons.length}`;
    heading.append(name, count);
    card.append(heading);
    for (const lesson of pack.lessons) card.append(lessonButton(pack, lesson));
    list.append(card);
  }
  showRecordings(me);
  $("signed-in").hidden = false;
  window.SANAPAJA.installOffline();
}

// Audio is kept only when the group records and the learner agreed; the switch says which.
function showRecordings(me) {
  const recording = me.group.recording_enabled;
  $("recording-off").hidden = recording;
  $("recording-on").hidden = !recording;
  const consent = $("recording-consent");
  consent.checked = me.recording_consent;
  $("consent-state").textContent = t(me.recording_consent ? "consent.on" : "consent.off");
}

$("recording-consent").addEventListener("change", async (event) => {
  const consent = event.target;
  const wanted = consent.checked;
  consent.disabled = true;
  $("consent-state").textContent = "";
  try {
    const me = await api("PATCH", "/me", { recording_consent: wanted });
    consent.checked = me.recording_consent;
    $("consent-state").textContent =
      `${t("saved")} ${t(me.recording_consent ? "consent.on" : "consent.off")}`;
  } catch {
    consent.checked = !wanted;
    showError($("data-error"), "error");
  } finally {
    consent.disabled = false;
  }
});

$("export").addEventListener("click", async () => {
  try {
    const data = await api("GET", "/me/export");
    const file = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(file);
    link.download = `sanapaja-${new Date().toISOString().slice(0, 10)}.json`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  } catch {
    showError($("data-error"), "error");
  }
});

$("delete-me").addEventListener("click", () => {
  $("delete-me").hidden = true;
  $("delete-confirm").hidden = false;
  $("delete-cancel").focus();
});

$("delete-cancel").addEventListener("click", () => {
  $("delete-confirm").hidden = true;
  $("delete-me").hidden = false;
});

$("delete-yes").addEventListener("click", async () => {
  $("delete-yes").disabled = true;
  try {
    await api("DELETE", "/me");
  } catch (failure) {
    // 401: the token no longer signs anyone in, so there is nothing left to delete.
    if (!(failure instanceof ApiError && failure.status === 401)) {
      $("delete-yes").disabled = false;
      showError($("data-error"), "error");
      return;
    }
  }
  signOut();
  $("signed-in").hidden = true;
  $("learner-name").textContent = "";
  $("deleted").hidden = false;
  $("signed-out").hidden = false;
  window.scrollTo(0, 0);
});

$("code-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = $("join-code").value.trim().toUpperCase();
  if (code) location.href = `/join/${encodeURIComponent(code)}?lang=${window.SANAPAJA.language}`;
});

$("recover-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    signIn(await api("POST", "/recover", { recovery_code: $("recovery-input").value.trim() }));
    location.reload();
  } catch (failure) {
    const unknown = failure instanceof ApiError && failure.status === 404;
    showError($("recover-error"), unknown ? "unknown_code" : "error");
  }
});

$("sign-out").addEventListener("click", () => {
  signOut();
  location.reload();
});

// Back from a lesson can show this page from memory as it was: fetch what is new.
window.addEventListener("pageshow", (event) => {
  if (event.persisted && token()) showHome().catch(() => showError($("home-error"), "error"));
});

if (!token()) {
  $("signed-out").hidden = false;
} else {
  showHome().catch((failure) => {
    if (failure instanceof ApiError && failure.status === 401) {
      signOut();
      $("signed-out").hidden = false;
    } else {
      showError($("home-error"), "error");
    }
  });
}
