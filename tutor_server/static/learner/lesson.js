import {
  api,
  ApiError,
  flushOutbox,
  Offline,
  pendingFor,
  pictureUrl,
  postAnswer,
  queueAnswer,
  queueFinish,
  send,
  t,
} from "./api.js";
import { Recorder } from "./recorder.js";

const root = document.getElementById("lesson");
const stepBox = document.getElementById("step");
const status = document.getElementById("status");
const sessionId = root.dataset.session;
const player = document.getElementById("player");
// Only when the server sent no slowly spoken audio: slower playback of the normal audio.
const SLOW_PLAYBACK = 0.75;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  return append(node, ...children);
}

function append(node, ...children) {
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function clientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// Pictures instead of emoji characters, which a phone without an emoji font shows as boxes.
const ICONS = {
  listen: "1F50A",
  slow: "1F422",
  record: "1F3A4",
  stop: "23F9",
  my_try: "1F5E3",
  done: "1F389",
  ok: "2714",
  off: "274C",
};

function icon(name) {
  return el("img", { class: "icon", src: `/openmoji/${ICONS[name]}.svg`, alt: "", width: 28, height: 28 });
}

function labelled(name, text) {
  return [icon(name), el("span", {}, text)];
}

// A browser may refuse to play before the learner has touched the page (after a reload):
// then a note asks them to tap Listen.
function play(url, rate = 1) {
  if (!url) return;
  player.src = url;
  player.playbackRate = rate;
  player.play().then(hideTapNote, (error) => {
    if (error && error.name === "NotAllowedError") showTapNote();
  });
}

function stopPlaying() {
  player.pause();
}

function showTapNote() {
  const note = stepBox.querySelector(".tap-to-listen");
  if (note) note.hidden = false;
}

function hideTapNote() {
  const note = stepBox.querySelector(".tap-to-listen");
  if (note) note.hidden = true;
}

function showOffline(offline) {
  status.textContent = t("offline");
  status.hidden = !offline;
}

function listenButtons(step) {
  if (!step.audio_url) return null;
  const slowly = step.slow_audio_url ? () => play(step.slow_audio_url) : () => play(step.audio_url, SLOW_PLAYBACK);
  return el(
    "div",
    { class: "listen" },
    el("button", { class: "big play", "data-action": "listen", onclick: () => play(step.audio_url) }, ...labelled("listen", t("listen"))),
    el("button", { class: "play slow", "data-action": "listen-slowly", onclick: slowly }, ...labelled("slow", t("slow"))),
  );
}

function picture(code, alt = "") {
  const url = pictureUrl(code);
  return url ? el("img", { class: "picture", src: url, alt, width: 96, height: 96 }) : null;
}

function gloss(text, reviewed) {
  if (!text) return null;
  // A gloss may fall back to English on a right-to-left page: its own direction.
  return el(
    "p",
    { class: "gloss", dir: "auto" },
    text,
    reviewed ? null : el("span", { class: "draft" }, t("draft")),
  );
}

function finnish(text, className = "fi") {
  return text ? el("p", { class: className, lang: "fi", dir: "ltr" }, text) : null;
}

let session = null;

// "3 / 20" beside the bar: how far the learner is in this session.
function showProgress() {
  const done = Math.min(session.position + 1, session.total);
  document.getElementById("bar-fill").style.width = `${(100 * session.position) / session.total}%`;
  const count = document.getElementById("step-count");
  count.textContent = `${done} / ${session.total}`;
  count.setAttribute("aria-label", t("step_count", { n: done, total: session.total }));
}

function render() {
  const step = session.step;
  status.hidden = true;
  showProgress();
  if (!step) return finish();
  const body = el("div", {
    class: "card step",
    "data-step": step.index,
    "data-kind": step.kind,
    "data-answer": step.answer_kind,
  });
  append(
    body,
    replyTo(step.reply_to),
    el("h1", { class: "prompt" }, t(step.prompt_key)),
    step.speaker && step.speaker !== "learner" ? el("p", { class: "speaker" }, `${step.speaker}:`) : null,
    picture(step.picture),
    finnish(step.show_fi),
    step.show_spoken ? finnish(`(${step.show_spoken})`, "fi spoken") : null,
    step.kind === "listen_choose" || step.kind === "minimal_pair" ? null : gloss(step.gloss, step.gloss_reviewed),
    listenButtons(step),
    step.audio_url ? el("p", { class: "tap-to-listen", role: "status", hidden: true }, t("tap_listen")) : null,
  );
  const answerBox = el("div", { class: "answer" });
  body.append(answerBox, el("div", { class: "feedback", id: "feedback", "aria-live": "polite" }));
  stepBox.replaceChildren(body);
  const renderers = { none: renderContinue, choice: renderChoice, order: renderOrder, pairs: renderPairs, speech: renderSpeech };
  renderers[step.answer_kind](step, answerBox);
  play(step.audio_url);
}

// On the learner's turn in a dialogue: the line they answer, to read and hear again.
function replyTo(line) {
  if (!line) return null;
  return el("div", { class: "reply-to" },
    el("div", { class: "line" },
      line.speaker ? el("p", { class: "reply-speaker" }, `${line.speaker}:`) : null,
      el("p", { class: "fi", lang: "fi", dir: "ltr" }, line.fi),
      gloss(line.gloss, line.gloss_reviewed),
    ),
    line.audio_url
      ? el("button", { class: "play mini", "data-action": "listen-line", "aria-label": t("listen"), onclick: () => play(line.audio_url) }, icon("listen"))
      : null,
  );
}

function renderContinue(step, box) {
  box.append(el("button", { class: "big primary", "data-action": "next", onclick: () => submit(step, {}) }, t("next")));
}

// An option shows its gloss when it has no Finnish, or beside the Finnish in a minimal pair.
function showsGloss(option, step) {
  return Boolean(option.gloss) && (!option.fi || step.kind === "minimal_pair");
}

function optionContent(option, step) {
  return [
    picture(option.picture),
    option.fi ? el("span", { class: "fi", lang: "fi", dir: "ltr" }, option.fi) : null,
    showsGloss(option, step) ? el("span", { class: option.fi ? "gloss small" : "gloss" }, option.gloss) : null,
  ];
}

// One small note for a group of options when any gloss it shows is an unreviewed draft,
// so the big touch targets stay uncluttered.
function draftNote(options, step) {
  const drafts = options.some((option) => showsGloss(option, step) && !option.gloss_reviewed);
  return drafts ? el("p", { class: "draft-note" }, el("span", { class: "draft" }, t("draft"))) : null;
}

function renderChoice(step, box) {
  const list = el("div", { class: "options" });
  for (const option of step.options) {
    const button = el(
      "button",
      {
        class: "option big",
        "data-option": option.id,
        onclick: () => {
          list.querySelectorAll("button.option").forEach((b) => b.classList.remove("chosen"));
          button.classList.add("chosen");
          submit(step, { choice: option.id }, button);
        },
      },
      ...optionContent(option, step),
    );
    const row = el("div", { class: "option-row" }, button);
    if (option.audio_url && step.kind !== "choose_translation") {
      row.append(el("button", { class: "play mini", "aria-label": t("listen"), onclick: () => play(option.audio_url) }, icon("listen")));
    }
    list.append(row);
  }
  append(box, list, draftNote(step.options, step));
}

function renderOrder(step, box) {
  const line = el("div", { class: "sentence", lang: "fi", dir: "ltr" });
  const bank = el("div", { class: "bank", lang: "fi", dir: "ltr" });
  const check = el("button", { class: "big primary", "data-action": "check", disabled: true }, t("check"));
  const update = () => {
    check.disabled = bank.children.length > 0;
  };
  for (const option of step.options) {
    const tile = el("button", { class: "tile", "data-option": option.id }, option.fi);
    tile.addEventListener("click", () => {
      (tile.parentElement === bank ? line : bank).append(tile);
      update();
    });
    bank.append(tile);
  }
  check.addEventListener("click", () =>
    submit(step, { order: [...line.children].map((tile) => tile.dataset.option) }),
  );
  box.append(line, bank, check);
}

function renderPairs(step, box) {
  const pairs = {};
  let chosenLeft = null;
  const left = el("div", { class: "column" });
  const right = el("div", { class: "column" });
  const check = el("button", { class: "big primary", "data-action": "check", disabled: true }, t("check"));
  const colours = ["pair-a", "pair-b", "pair-c", "pair-d", "pair-e", "pair-f"];
  const refresh = () => {
    box.querySelectorAll(".tile").forEach((tile) => colours.forEach((c) => tile.classList.remove(c, "chosen")));
    Object.entries(pairs).forEach(([l, r], i) => {
      box.querySelector(`[data-left="${l}"]`).classList.add(colours[i % colours.length]);
      box.querySelector(`[data-right="${r}"]`).classList.add(colours[i % colours.length]);
    });
    if (chosenLeft) box.querySelector(`[data-left="${chosenLeft}"]`).classList.add("chosen");
    check.disabled = Object.keys(pairs).length < step.options.length;
  };
  for (const option of step.options) {
    left.append(
      el("button", { class: "tile", "data-left": option.id, onclick: () => {
        delete pairs[option.id];
        chosenLeft = option.id;
        play(option.audio_url);
        refresh();
      } }, ...optionContent(option, step)),
    );
  }
  for (const option of step.right_options) {
    right.append(
      el("button", { class: "tile", "data-right": option.id, onclick: () => {
        if (!chosenLeft) return;
        for (const [l, r] of Object.entries(pairs)) if (r === option.id) delete pairs[l];
        pairs[chosenLeft] = option.id;
        chosenLeft = null;
        refresh();
      } }, ...optionContent(option, step)),
    );
  }
  check.addEventListener("click", () => submit(step, { pairs: { ...pairs } }));
  append(box, el("div", { class: "pairs" }, left, right), draftNote(step.right_options, step), check);
}

function renderSpeech(step, box) {
  const meter = el("div", { class: "meter" }, el("div", { class: "level" }));
  const button = el("button", { class: "big primary record", "data-action": "record" }, ...labelled("record", t("record")));
  let recorder = null;
  button.addEventListener("click", async () => {
    if (recorder) {
      recorder.stop();
      return;
    }
    // The tutor's voice must not go into the learner's recording.
    stopPlaying();
    recorder = new Recorder();
    button.replaceChildren(...labelled("stop", t("stop")));
    button.classList.add("recording");
    status.textContent = t("listening");
    status.hidden = false;
    let wav;
    try {
      const limit = Math.max(step.listen_timeout_s || 0, 4) + 1;
      wav = await recorder.record(limit, (level) => {
        meter.firstChild.style.width = `${Math.round(level * 100)}%`;
      });
    } catch {
      status.hidden = true;
      box.replaceChildren(el("p", { class: "error" }, t("no_microphone")), skipButton(step));
      return;
    }
    status.textContent = t("scoring");
    button.disabled = true;
    const form = new FormData();
    form.append("client_id", clientId());
    form.append("step", String(step.index));
    form.append("audio", wav, "try.wav");
    await submit(step, form, null, URL.createObjectURL(wav));
    status.hidden = true;
  });
  box.append(button, meter, skipButton(step));
}

function skipButton(step) {
  return el("button", { class: "link", "data-action": "skip", onclick: () => submit(step, null) }, t("skip"));
}

async function submit(step, answer, chosen = null, myTry = null) {
  let body = answer;
  if (!(answer instanceof FormData)) {
    body = { client_id: clientId(), step: step.index };
    if (answer === null) body.skip = true;
    else body.answer = answer;
  }
  stepBox.querySelectorAll(".answer button").forEach((b) => (b.disabled = true));
  let result;
  try {
    // Answers wait in order: while some wait, a new one waits behind them.
    if (pendingFor(sessionId)) throw new Offline("answers are waiting to be sent");
    result = await postAnswer(sessionId, body);
  } catch (error) {
    if (error instanceof Offline && aheadStep(step.index + 1) !== undefined) {
      await answerOffline(step, body, answer);
    } else if (error instanceof Offline) {
      showFeedback(step, { retry: true, message: t("offline") });
    } else if (error instanceof ApiError && error.body.error === "audio_not_scored") {
      showFeedback(step, { retry: true, message: t("not_heard"), myTry });
    } else if (error instanceof ApiError && error.status === 409) {
      // The server had moved on (the step was answered in another tab or before a Back):
      // say so rather than silently swapping the question.
      session = await api("GET", `/sessions/${sessionId}`);
      render();
      status.textContent = t("moved_on");
      status.hidden = false;
    } else {
      showFeedback(step, { retry: true, message: t("error") });
    }
    return;
  }
  session = result.session;
  remember();
  if (step.answer_kind === "none" || answer === null) return render();
  const verdict = result.verdict;
  if (chosen) chosen.classList.add(verdict.correct ? "right" : "wrong");
  showFeedback(step, { verdict, scoring: result.scoring, myTry, retry: !verdict.step_done });
}

function showFeedback(step, { verdict, scoring, myTry, retry, message, note }) {
  const box = document.getElementById("feedback");
  box.replaceChildren();
  if (message) box.append(el("p", { class: "verdict wrong" }, message));
  if (note) box.append(el("p", { class: "saved-offline", role: "status" }, note));
  if (verdict) {
    const word = scoring && scoring.verdict === "close" ? t("close") : t(verdict.feedback_key);
    box.append(el("p", { class: `verdict ${verdict.correct ? "right" : "wrong"}`, "data-correct": String(verdict.correct) }, word));
    if (!verdict.correct && verdict.answer) reveal(step, verdict.answer, box);
  }
  if (scoring) box.append(scoreView(scoring));
  if (myTry || (scoring && step.audio_url)) {
    box.append(
      el("div", { class: "listen" },
        step.audio_url ? el("button", { class: "play", onclick: () => play(step.audio_url) }, ...labelled("listen", t("listen"))) : null,
        myTry ? el("button", { class: "play", "data-action": "my-try", onclick: () => play(myTry) }, ...labelled("my_try", t("my_try"))) : null,
      ),
    );
  }
  const actions = el("div", { class: "actions" });
  if (retry) {
    actions.append(el("button", { class: "big primary", "data-action": "retry", onclick: render }, t("try_again")));
    // A learner in a noisy room must be able to move on, heard or not.
    if (step.answer_kind === "speech") actions.append(skipButton(step));
  } else {
    actions.append(el("button", { class: "big primary", "data-action": "next", onclick: render }, t("next")));
  }
  box.append(actions);
  // Chosen options and matched pairs stay in view beside the verdict; the rest gives way.
  const answerBox = stepBox.querySelector(".answer");
  answerBox.hidden = step.answer_kind !== "choice" && step.answer_kind !== "pairs";
  answerBox.querySelectorAll("[data-action=check]").forEach((button) => (button.hidden = true));
}

// After the last wrong try: the right answer, as the step asked for it. The right option
// is marked among the choices (a meaning, when the choices are meanings), a word order is
// shown built, and the Finnish comes with its meaning.
function reveal(step, answer, box) {
  const optionsById = Object.fromEntries([...step.options, ...step.right_options].map((o) => [o.id, o]));
  for (const id of answer.option_ids || []) {
    const button = stepBox.querySelector(`button.option[data-option="${id}"]`);
    if (button) {
      button.classList.add("right");
      button.dataset.right = "true";
    }
  }
  const line = el("p", { class: "answer-line" }, t("the_answer"), " ");
  if (answer.order) {
    const built = el("div", { class: "sentence right-order", lang: "fi", dir: "ltr" },
      ...answer.order.map((id) => el("span", { class: "tile right" }, optionsById[id] ? optionsById[id].fi : id)));
    box.append(line, built);
    return;
  }
  const chosen = (answer.option_ids || []).map((id) => optionsById[id]).filter(Boolean);
  const meaning = chosen.find((option) => !option.fi && option.gloss);
  if (answer.fi) line.append(el("b", { lang: "fi", dir: "ltr" }, answer.fi));
  const glossText = meaning ? meaning.gloss : answer.gloss;
  if (glossText) line.append(" — ", el("span", { class: "answer-gloss" }, glossText));
  if (answer.fi || glossText) box.append(line);
}

function scoreView(scoring) {
  const view = el("div", { class: "score" });
  view.append(el("p", { class: "points" }, `${t("score")}: `, el("b", { "data-score": scoring.score }, String(scoring.score)), " / 100"));
  if (scoring.message_key === "pronunciation.other_words") {
    view.append(el("p", { class: "other-words", "data-message": scoring.message_key }, t("other_words")));
  }
  // A phrase with a word missing or unclear: say so, and name the words to practise.
  const wordKeys = { "pronunciation.word_missing": "word_missing", "pronunciation.word_unclear": "word_unclear" };
  if (wordKeys[scoring.message_key]) {
    view.append(el("p", { class: "other-words", "data-message": scoring.message_key }, t(wordKeys[scoring.message_key])));
    const weak = (scoring.words || []).filter((word) => !word.ok);
    if (weak.length) {
      const list = el("p", { class: "weak-words" }, t("words_to_practise"), " ");
      weak.forEach((word, index) => list.append(index ? ", " : "", el("b", { lang: "fi", dir: "ltr" }, word.word)));
      view.append(list);
    }
  }
  if (scoring.heard_as && scoring.heard_as !== scoring.target) {
    const [before, after] = t("sounded_like").split("%(word)s");
    view.append(el("p", { class: "heard-as" }, before, el("b", { lang: "fi", dir: "ltr" }, scoring.heard_as), after || ""));
  }
  // Sound lengths mean something only when the learner said the target word.
  const saidSomethingElse =
    scoring.message_key === "pronunciation.other_words" ||
    Boolean(wordKeys[scoring.message_key]) ||
    (scoring.heard_as && scoring.heard_as !== scoring.target);
  const segments = saidSomethingElse ? [] : scoring.segments || [];
  if (segments.length) {
    view.append(
      el("div", { class: "segment legend", dir: "ltr" },
        el("span", {}),
        el("span", { class: "key" }, t("bar.expected")),
        el("span", { class: "key" }, t("bar.heard")),
        el("span", {}),
      ),
    );
  }
  for (const segment of segments) {
    const label = segment.ok
      ? t(segment.heard)
      : t("heard_expected", { heard: t(segment.heard), expected: t(segment.expected) });
    view.append(
      el("div", { class: `segment ${segment.ok ? "ok" : "off"}`, dir: "ltr", "data-sound": segment.sound },
        el("span", { class: "sound", lang: "fi" }, segment.sound),
        el("span", { class: `bar expected ${segment.expected}`, title: t(segment.expected) }),
        el("span", { class: `bar heard ${segment.heard}`, title: t(segment.heard) }),
        el("span", { class: "label", dir: document.documentElement.dir }, icon(segment.ok ? "ok" : "off"), label),
      ),
    );
  }
  return view;
}

function doneTitle() {
  if (session.kind === "review") return t("review_done");
  if (session.part < session.parts) return t("part_done", { n: session.part, total: session.parts });
  return t("done");
}

async function finish() {
  let result = null;
  try {
    if (pendingFor(sessionId)) throw new Offline("answers are waiting to be sent");
    result = await send("POST", `/sessions/${sessionId}/finish`);
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
    queueFinish(sessionId);
    keepSending();
  }
  stepBox.replaceChildren(
    el("div", { class: "card done", "data-finished": "true" },
      el("h1", {}, icon("done"), " ", doneTitle()),
      session.part < session.parts ? el("p", { class: "next-part" }, t("next_part")) : null,
      result
        ? el("p", {}, t("streak", { n: result.streak_days }))
        : el("p", { class: "saved-offline", role: "status" }, t("done_offline")),
      el("a", { class: "big primary button", href: root.dataset.home, "data-action": "home" }, t("home")),
    ),
  );
}

// Without a connection the lesson goes on from the steps kept on the phone; the answers
// wait in the outbox (api.js) and are sent, in order, once the connection is back.
const KEPT = `sanapaja.lesson.${sessionId}`;
const AUDIO_CACHE = "sanapaja-audio";
let ahead = [];

function aheadStep(index) {
  if (session && index >= session.total) return null;
  return ahead.find((step) => step.index === index);
}

function remember() {
  localStorage.setItem(KEPT, JSON.stringify({ session, ahead }));
}

async function answerOffline(step, body, answer) {
  await queueAnswer(sessionId, body);
  const next = aheadStep(step.index + 1);
  session = { ...session, position: step.index + 1, step: next, steps_done: next === null };
  remember();
  keepSending();
  if (step.answer_kind === "none" || answer === null) return render();
  showFeedback(step, { note: t("saved_offline") });
}

let sending = null;
function keepSending() {
  if (sending) return;
  sending = setInterval(async () => {
    if (await flushOutbox()) {
      clearInterval(sending);
      sending = null;
    }
  }, 5000);
}
window.addEventListener("online", () => flushOutbox());

// The steps ahead and their audio, kept for a lesson without a connection.
async function keepAhead() {
  const kept = await api("GET", `/sessions/${sessionId}/steps`);
  ahead = kept.steps;
  remember();
  if (!("caches" in window)) return;
  const urls = new Set();
  for (const step of ahead) {
    for (const url of [step.audio_url, step.slow_audio_url, step.reply_to && step.reply_to.audio_url]) if (url) urls.add(url);
    for (const option of [...step.options, ...step.right_options]) if (option.audio_url) urls.add(option.audio_url);
  }
  const cache = await caches.open(AUDIO_CACHE);
  for (const url of urls) {
    if (!(await cache.match(url))) await cache.add(url).catch(() => {});
  }
}

async function start() {
  const sent = await flushOutbox();
  try {
    if (!sent) throw new Offline("answers are waiting to be sent");
    session = await send("GET", `/sessions/${sessionId}`);
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
    const kept = JSON.parse(localStorage.getItem(KEPT) || "null");
    if (!kept) throw error;
    ({ session, ahead } = kept);
    keepSending();
    render();
    showOffline(true);
    return;
  }
  remember();
  render();
  window.SANAPAJA.installOffline();
  keepAhead().catch(() => {});
}

// Back and Forward can bring the page back from memory as it was: ask the server where
// the lesson is instead of showing an old step.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) start().catch(() => showFeedback(session.step, { retry: true, message: t("error") }));
});

start().catch(() => {
  status.textContent = t("error");
  status.hidden = false;
});
