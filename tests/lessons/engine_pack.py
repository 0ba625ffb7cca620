"""A small pack built in code for the lesson-engine tests (no YAML involved)."""

from __future__ import annotations

from lessons.pack.model import (
    CefrLevel,
    DialogueTurn,
    Item,
    Lesson,
    LessonKind,
    Pack,
    Priority,
    ReviewStatus,
    Speaker,
)


def _item(item_id: str, fi: str, en: str, uk: str | None = None, **extra: object) -> Item:
    translations = {"en": en} | ({"uk": uk} if uk else {})
    return Item(id=item_id, fi=fi, translations=translations, **extra)  # type: ignore[arg-type]


ITEMS = [
    _item("lattia", "lattia", "floor", "підлога"),
    _item("moppi", "moppi", "mop", "швабра"),
    _item("ampari", "ämpäri", "bucket", "відро"),
    _item("kiitos", "kiitos", "thank you", "дякую"),
    _item(
        "lattia-on-liukas",
        "Lattia on liukas.",
        "The floor is slippery.",
        "Підлога слизька.",
        priority=Priority.SAFETY,
    ),
    _item(
        "tarvitsen-apua",
        "Minä tarvitsen apua.",
        "I need help.",
        None,
        spoken="Mä tarviin apua.",
        accept=("Tarvitsen apua.",),
    ),
    _item("tuli", "tuli", "fire", "вогонь", confusables=("tuuli",)),
    _item("tuuli", "tuuli", "wind", "вітер"),
]

VOCABULARY = Lesson(
    id="siivous",
    title={"fi": "Siivous", "en": "Cleaning"},
    level=CefrLevel.A1,
    kind=LessonKind.VOCABULARY,
    item_ids=("lattia", "moppi", "ampari", "kiitos", "lattia-on-liukas", "tarvitsen-apua"),
)
DIALOGUE = Lesson(
    id="aamu",
    title={"fi": "Aamu", "en": "Morning"},
    level=CefrLevel.A2,
    kind=LessonKind.DIALOGUE,
    item_ids=("kiitos",),
    speakers=(Speaker("ohjaaja", {"fi": "ohjaaja", "en": "instructor"}),),
    dialogue=(
        DialogueTurn("ohjaaja", "Huomenta!", {"en": "Good morning!"}),
        DialogueTurn(
            "learner",
            "Minä tarvitsen apua.",
            {"en": "I need help."},
            spoken="Mä tarviin apua.",
        ),
    ),
)
PRONUNCIATION = Lesson(
    id="aanteet",
    title={"fi": "Äänteet", "en": "Sounds"},
    level=CefrLevel.A1,
    kind=LessonKind.PRONUNCIATION,
    item_ids=("tuli", "tuuli"),
    minimal_pairs=(("tuli", "tuuli"),),
)


def engine_pack(pack_id: str = "testi", uk_status: ReviewStatus = ReviewStatus.DRAFT) -> Pack:
    return Pack(
        id=pack_id,
        version="1.0.0",
        title={"fi": "Testi", "en": "Test"},
        profession="cleaning",
        levels=(CefrLevel.A1, CefrLevel.A2),
        authors=(),
        licence="CC-BY-SA-4.0",
        languages={"en": ReviewStatus.DRAFT, "uk": uk_status},
        items={item.id: item for item in ITEMS},
        lessons=(VOCABULARY, DIALOGUE, PRONUNCIATION),
    )
