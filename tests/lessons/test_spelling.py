from __future__ import annotations

import sys
import types

import pytest

from lessons.finnish.spelling import INSTALL_HINT, SpellChecker, open_spell_checker


class FakeVoikko:
    """Knows a fixed set of words and records what it was asked."""

    def __init__(self, words: set[str]) -> None:
        self.words = words
        self.asked: list[str] = []
        self.terminated = 0

    def spell(self, word: str) -> bool:
        self.asked.append(word)
        return word in self.words

    def hyphenate(self, word: str, separator: str, allowContextChanges: bool) -> str:
        assert (separator, allowContextChanges) == ("-", False)
        return separator.join(word)

    def terminate(self) -> None:
        self.terminated += 1


@pytest.fixture
def checker(voikko: SpellChecker) -> SpellChecker:
    return voikko


def test_install_hint() -> None:
    assert INSTALL_HINT == (
        "Voikko is not installed: sudo apt-get install libvoikko1 voikko-fi "
        "&& pip install libvoikko"
    )


@pytest.mark.parametrize("word", ["tuuli", "tuli", "tulli", "Helsinki", "työturvallisuus"])
def test_real_words(checker: SpellChecker, word: str) -> None:
    assert checker.is_word(word)


@pytest.mark.parametrize("word", ["tuuuli", "kiitoss", "tulii", "helsinki"])
def test_not_words(checker: SpellChecker, word: str) -> None:
    assert not checker.is_word(word)


def test_misspelled_finds_only_the_wrong_words(checker: SpellChecker) -> None:
    text = "Mene WC:hen ja soita 112:een, esim. klo 7.30! Kiitoss ja kiitoss, tuuuli."
    assert checker.misspelled(text) == ["Kiitoss", "kiitoss", "tuuuli"]


def test_correct_text_has_no_misspellings(checker: SpellChecker) -> None:
    assert checker.misspelled("Käytä suojakäsineitä ja turvakenkiä työmaalla.") == []


def test_hyphenate(checker: SpellChecker) -> None:
    assert checker.hyphenate("työturvallisuus") == "työ-tur-val-li-suus"
    assert checker.hyphenate("työtuoli") == "työ-tuo-li"


def test_tokenising_for_misspelled() -> None:
    fake = FakeVoikko(set())
    misspelled = SpellChecker(fake).misspelled(
        "“Mene WC:hen”, soita 112:een - 3,5 € \u2013 vaa'an ja WC-paperi; 2024 & 7:30 ... tuli tuli"
    )
    expected = ["Mene", "WC:hen", "soita", "112:een", "vaa'an", "ja", "WC-paperi", "tuli"]
    assert misspelled == expected
    assert fake.asked == expected


def test_an_abbreviation_is_checked_with_its_full_stop() -> None:
    fake = FakeVoikko({"esim."})
    assert SpellChecker(fake).misspelled("esim. esim") == ["esim"]


def test_close_terminates_once_and_the_checker_refuses_work() -> None:
    fake = FakeVoikko({"tuli"})
    spell_checker = SpellChecker(fake)
    assert spell_checker.is_word("tuli")
    spell_checker.close()
    spell_checker.close()
    assert fake.terminated == 1
    with pytest.raises(RuntimeError, match="closed"):
        spell_checker.is_word("tuli")


def test_context_manager_closes() -> None:
    fake = FakeVoikko(set())
    with SpellChecker(fake) as spell_checker:
        assert spell_checker.hyphenate("talo") == "t-a-l-o"
    assert fake.terminated == 1


def test_the_handle_is_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    fake_module = types.ModuleType("libvoikko")

    class VoikkoException(Exception):
        pass

    def voikko(language: str) -> FakeVoikko:
        opened.append(language)
        return FakeVoikko({"tuli"})

    fake_module.VoikkoException = VoikkoException  # type: ignore[attr-defined]
    fake_module.Voikko = voikko  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "libvoikko", fake_module)
    spell_checker = open_spell_checker()
    assert spell_checker is not None
    assert spell_checker.is_word("tuli")
    assert spell_checker.misspelled("tuli tuuli") == ["tuuli"]
    assert spell_checker.hyphenate("tuli") == "t-u-l-i"
    assert opened == ["fi"]


def test_none_without_the_binding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "libvoikko", None)  # makes the import fail
    assert open_spell_checker() is None


@pytest.mark.parametrize("error", ["library", "dictionary"])
def test_none_without_the_library_or_dictionary(
    monkeypatch: pytest.MonkeyPatch, error: str
) -> None:
    fake_module = types.ModuleType("libvoikko")

    class VoikkoException(Exception):
        pass

    def voikko(language: str) -> FakeVoikko:
        if error == "library":
            raise OSError("libvoikko.so.1: cannot open shared object file")
        raise VoikkoException("Initialization of Voikko failed: no dictionary")

    fake_module.VoikkoException = VoikkoException  # type: ignore[attr-defined]
    fake_module.Voikko = voikko  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "libvoikko", fake_module)
    assert open_spell_checker() is None
