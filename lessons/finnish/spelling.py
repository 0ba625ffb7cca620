"""Finnish spelling and hyphenation through Voikko, which is optional.

``open_spell_checker()`` returns None when libvoikko or its Finnish dictionary is
missing, so everything else works without them; callers show INSTALL_HINT.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Protocol

from lessons.finnish.syllables import WORD_PATTERN

INSTALL_HINT = (
    "Voikko is not installed: sudo apt-get install libvoikko1 voikko-fi && pip install libvoikko"
)


class _Voikko(Protocol):
    def spell(self, word: str) -> bool: ...

    def hyphenate(self, word: str, separator: str, allowContextChanges: bool) -> str: ...

    def terminate(self) -> None: ...


def _word_matches(text: str) -> Iterator[re.Match[str]]:
    """Words to spell-check: letters (digits too) with inner hyphens, colons and
    apostrophes ("WC:hen", "112:een", "vaa'an"); pure numbers and punctuation are not."""
    return (
        match
        for match in WORD_PATTERN.finditer(text)
        if any(char.isalpha() for char in match.group())
    )


class SpellChecker:
    """One open Voikko handle, reused because opening one takes a noticeable time."""

    def __init__(self, voikko: _Voikko) -> None:
        self._voikko: _Voikko | None = voikko
        # A libvoikko handle must not be used by two threads at once.
        self._lock = threading.Lock()

    def is_word(self, word: str) -> bool:
        with self._lock:
            return self._handle().spell(word)

    def misspelled(self, text: str) -> list[str]:
        """Words of ``text`` Voikko rejects, each once, in order of first appearance.

        An abbreviation followed by its full stop ("esim.") is checked with the stop.
        """
        found: dict[str, None] = {}
        with self._lock:
            voikko = self._handle()
            for match in _word_matches(text):
                word = match.group()
                if word in found:
                    continue
                with_stop = text[match.end() : match.end() + 1] == "."
                if not voikko.spell(word) and not (with_stop and voikko.spell(word + ".")):
                    found[word] = None
        return list(found)

    def hyphenate(self, word: str) -> str:
        """``word`` with "-" at its syllable boundaries, letters unchanged ("työ-tuo-li")."""
        with self._lock:
            return self._handle().hyphenate(word, "-", False)

    def close(self) -> None:
        """Free the Voikko handle; the checker cannot be used afterwards."""
        with self._lock:
            if self._voikko is not None:
                self._voikko.terminate()
                self._voikko = None

    def __enter__(self) -> SpellChecker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _handle(self) -> _Voikko:
        if self._voikko is None:
            raise RuntimeError("the spell checker has been closed")
        return self._voikko


def open_spell_checker() -> SpellChecker | None:
    """A Finnish spell checker, or None if libvoikko or voikko-fi is not installed."""
    try:
        import libvoikko
    except ImportError:
        return None
    try:
        voikko = libvoikko.Voikko("fi")
    except (OSError, libvoikko.VoikkoException):  # no libvoikko.so.1, or no Finnish dictionary
        return None
    return SpellChecker(voikko)
