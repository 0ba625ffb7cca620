"""A new, valid pack for `sanapaja pack new`: one lesson with one item to copy from."""

from __future__ import annotations

import json

from lessons.pack.model import LESSONS_DIR, MEDIA_DIR, PACK_FILE, SUPPORT_LANGUAGES

# The sample word and title in every support language, so any language choice is valid.
_THANK_YOU = {
    "en": "thank you",
    "ru": "спасибо",
    "uk": "дякую",
    "et": "aitäh",
    "ar": "شكرًا",
    "so": "mahadsanid",
    "fa": "متشکرم",
}
_FIRST_LESSON = {
    "en": "First lesson",
    "ru": "Первый урок",
    "uk": "Перший урок",
    "et": "Esimene tund",
    "ar": "الدرس الأول",
    "so": "Casharka koowaad",
    "fa": "درس اول",
}


def _inline(mapping: dict[str, str]) -> str:
    # JSON strings are valid YAML scalars and quote anything that needs it.
    return (
        "{"
        + ", ".join(
            f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in mapping.items()
        )
        + "}"
    )


def skeleton_files(pack_id: str, languages: list[str]) -> dict[str, str]:
    """File path (relative to the pack folder) → text, for a pack that validates cleanly."""
    unknown = [language for language in languages if language not in SUPPORT_LANGUAGES]
    if unknown or "en" not in languages:
        raise ValueError(f"languages must include en and be among {', '.join(SUPPORT_LANGUAGES)}")
    # The id stands in for the title until the author names the pack in each language.
    title = {"fi": "Uusi paketti", **{lang: pack_id for lang in languages}}
    lesson_title = {
        "fi": "Ensimmäinen oppitunti",
        **{lang: _FIRST_LESSON[lang] for lang in languages},
    }
    thanks = {lang: _THANK_YOU[lang] for lang in languages}
    language_lines = "\n".join(f"  {lang}: draft" for lang in languages)
    pack_yaml = f"""\
# A Sanapaja lesson pack. Format: docs/pack-format.md
id: {pack_id}
version: 0.1.0
title: {_inline(title)}
profession: cross-cutting
levels: [A1]
authors:
  - name: Your Name
licence: CC-BY-SA-4.0
# reviewed = checked by a fluent speaker; draft = not yet checked
languages:
{language_lines}
"""
    lesson_yaml = f"""\
id: ensimmainen
title: {_inline(lesson_title)}
level: A1
items:
  - id: kiitos
    fi: kiitos
    translations: {_inline(thanks)}
"""
    return {
        PACK_FILE: pack_yaml,
        f"{LESSONS_DIR}/01-ensimmainen.yaml": lesson_yaml,
        f"{MEDIA_DIR}/.keep": "",
    }
