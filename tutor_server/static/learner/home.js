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
  button.append(title, finnish);
  if (lesson.finished) {
    const done = document.createElement("span");
    done.className = "done";
    done.textContent = `✓ ${t("finished")}`;
    button.append(done);
  }
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
  for (const pack of packs.packs) {
    const card = document.createElement("div");
    card.className = "card pack";
    const heading = document.createElement("h2");
    heading.textContent = pack.title || pack.title_fi;
    card.append(heading);
    for (const lesson of pack.lessons) card.append(lessonButton(pack, lesson));
    list.append(card);
  }
  $("signed-in").hidden = false;
}

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
