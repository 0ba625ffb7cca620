from __future__ import annotations

import numpy as np
import pytest

from speech.audio import SAMPLE_RATE, Audio, AudioFormatError, AudioLimits, read_wav, to_wav_bytes
from tests.speech.wav_tools import float_wav, pcm_wav, riff, tone


@pytest.mark.parametrize("bits", [8, 16, 24, 32])
@pytest.mark.parametrize("channels", [1, 2])
def test_pcm_of_every_width_becomes_16k_mono(bits: int, channels: int) -> None:
    audio = read_wav(pcm_wav(tone(0.5, 16_000), 16_000, bits, channels))
    assert audio.rate == SAMPLE_RATE
    assert len(audio.samples) == 8000
    assert audio.samples.dtype == np.float32
    assert 0.45 < float(np.max(np.abs(audio.samples))) < 0.55


@pytest.mark.parametrize("bits", [32, 64])
def test_float_wav_is_read(bits: int) -> None:
    audio = read_wav(float_wav(tone(0.25, 16_000), 16_000, bits))
    assert len(audio.samples) == 4000


@pytest.mark.parametrize("rate", [8_000, 22_050, 44_100, 48_000])
def test_common_rates_are_resampled(rate: int) -> None:
    audio = read_wav(pcm_wav(tone(1.0, rate), rate, 16))
    assert abs(len(audio.samples) - SAMPLE_RATE) <= 2
    spectrum = np.abs(np.fft.rfft(audio.samples))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / len(audio.samples) - 220) < 3


def test_round_trip_through_wav_bytes() -> None:
    original = Audio(tone(0.3).astype(np.float32))
    again = read_wav(to_wav_bytes(original))
    assert np.allclose(again.samples, original.samples, atol=1e-4)


def test_clipping_is_measured() -> None:
    audio = read_wav(pcm_wav(np.clip(tone(0.5, amplitude=3.0), -1, 1), 16_000, 16))
    assert audio.clipped_fraction > 0.3


@pytest.mark.parametrize(
    ("data", "key", "words"),
    [
        (b"ID3\x04\x00\x00\x00\x00\x00\x00rest of an mp3", "audio.not_wav", "not a WAV"),
        (b"", "audio.not_wav", "not a WAV"),
        (b"OggS" + b"\x00" * 40, "audio.not_wav", "OggS"),
        (riff(6, 1, 8000, 8, b"\x00" * 100), "audio.unsupported_encoding", "0x0006"),
        (riff(1, 6, 16000, 16, b"\x00" * 120), "audio.unsupported_channels", "6 channels"),
        (riff(1, 1, 1000, 16, b"\x00" * 100), "audio.unsupported_rate", "1000 Hz"),
        (riff(1, 1, 16000, 12, b"\x00" * 100), "audio.unsupported_bits", "12-bit"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt \x04\x00\x00\x00abcd", "audio.not_wav", "too short"),
        (b"RIFF\x04\x00\x00\x00WAVE", "audio.not_wav", "no audio data"),
    ],
)
def test_bad_input_gets_a_clear_error(data: bytes, key: str, words: str) -> None:
    with pytest.raises(AudioFormatError) as caught:
        read_wav(data)
    assert caught.value.key == key
    assert words in str(caught.value)


def test_limits_on_size_and_duration() -> None:
    long_wav = pcm_wav(tone(3.0), 16_000, 16)
    with pytest.raises(AudioFormatError, match="limit is 2 s") as caught:
        read_wav(long_wav, AudioLimits(max_seconds=2.0))
    assert caught.value.key == "audio.too_long"
    with pytest.raises(AudioFormatError, match="limit is 1000") as caught:
        read_wav(long_wav, AudioLimits(max_bytes=1000))
    assert caught.value.key == "audio.too_large"


def test_a_truncated_data_chunk_keeps_what_arrived() -> None:
    data = pcm_wav(tone(0.5), 16_000, 16)[:-7]
    assert len(read_wav(data).samples) == (len(data) - 44) // 2
