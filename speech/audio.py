"""Audio in: read a WAV of any common format and turn it into 16 kHz mono float samples."""

from __future__ import annotations

import io
import struct
import wave
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16_000
MAX_SECONDS = 15.0
MAX_BYTES = 2_000_000
MIN_RATE = 4_000
MAX_RATE = 192_000

Samples = npt.NDArray[np.float32]

_WAVE_FORMAT_PCM = 1
_WAVE_FORMAT_FLOAT = 3
_WAVE_FORMAT_EXTENSIBLE = 0xFFFE


class AudioFormatError(ValueError):
    """The upload is not audio we can read; the message says what was received."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class AudioLimits:
    max_seconds: float = MAX_SECONDS
    max_bytes: int = MAX_BYTES


@dataclass(frozen=True)
class Audio:
    """Mono samples in [-1, 1] at ``rate`` Hz, and whether the source hit full scale."""

    samples: Samples
    rate: int = SAMPLE_RATE
    clipped_fraction: float = 0.0

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


def read_wav(data: bytes, limits: AudioLimits | None = None) -> Audio:
    """Decode WAV bytes (PCM 8/16/24/32-bit or 32/64-bit float, mono or stereo, any common
    rate) into 16 kHz mono. Raises AudioFormatError with a clear message otherwise."""
    limits = limits or AudioLimits()
    if len(data) > limits.max_bytes:
        raise AudioFormatError(
            "audio.too_large", f"audio is {len(data)} bytes; the limit is {limits.max_bytes}"
        )
    fmt = _parse_header(data)
    channels, rate, bits, tag, frames_bytes = fmt
    seconds = len(frames_bytes) / (channels * bits // 8) / rate
    if seconds > limits.max_seconds:
        raise AudioFormatError(
            "audio.too_long",
            f"audio is {seconds:.1f} s long; the limit is {limits.max_seconds:.0f} s",
        )
    samples = _decode(frames_bytes, channels, bits, tag)
    clipped = float(np.mean(np.abs(samples) >= 0.999)) if samples.size else 0.0
    mono = samples.mean(axis=1) if channels > 1 else samples[:, 0]
    return Audio(resample(mono.astype(np.float32), rate), SAMPLE_RATE, clipped)


def resample(samples: Samples, rate: int, target: int = SAMPLE_RATE) -> Samples:
    if rate == target:
        return samples
    import soxr

    return np.asarray(soxr.resample(samples, rate, target, quality="HQ"), dtype=np.float32)


def _parse_header(data: bytes) -> tuple[int, int, int, int, bytes]:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioFormatError("audio.not_wav", f"not a WAV file (starts with {data[:12]!r})")
    position = 12
    fmt: tuple[int, int, int, int] | None = None
    while position + 8 <= len(data):
        chunk_id = data[position : position + 4]
        (size,) = struct.unpack("<I", data[position + 4 : position + 8])
        body = data[position + 8 : position + 8 + size]
        if chunk_id == b"fmt ":
            if len(body) < 16:
                raise AudioFormatError("audio.not_wav", "WAV 'fmt ' chunk is too short")
            tag, channels, rate, _byte_rate, _align, bits = struct.unpack("<HHIIHH", body[:16])
            if tag == _WAVE_FORMAT_EXTENSIBLE and len(body) >= 26:
                (tag,) = struct.unpack("<H", body[24:26])
            fmt = (tag, channels, rate, bits)
        elif chunk_id == b"data":
            if fmt is None:
                raise AudioFormatError("audio.not_wav", "WAV data chunk comes before 'fmt '")
            tag, channels, rate, bits = fmt
            _check_format(tag, channels, rate, bits)
            width = channels * bits // 8
            usable = len(body) - len(body) % width
            return channels, rate, bits, tag, body[:usable]
        position += 8 + size + (size & 1)
    raise AudioFormatError("audio.not_wav", "WAV file has no audio data")


def _check_format(tag: int, channels: int, rate: int, bits: int) -> None:
    if tag not in (_WAVE_FORMAT_PCM, _WAVE_FORMAT_FLOAT):
        raise AudioFormatError(
            "audio.unsupported_encoding",
            f"WAV encoding {tag:#06x} is not supported; send PCM or float WAV",
        )
    if channels not in (1, 2):
        raise AudioFormatError(
            "audio.unsupported_channels", f"{channels} channels; send mono or stereo"
        )
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioFormatError("audio.unsupported_rate", f"sample rate {rate} Hz is not supported")
    allowed = (32, 64) if tag == _WAVE_FORMAT_FLOAT else (8, 16, 24, 32)
    if bits not in allowed:
        kind = "float" if tag == _WAVE_FORMAT_FLOAT else "PCM"
        raise AudioFormatError("audio.unsupported_bits", f"{bits}-bit {kind} is not supported")


def _decode(raw: bytes, channels: int, bits: int, tag: int) -> npt.NDArray[np.float32]:
    if tag == _WAVE_FORMAT_FLOAT:
        values = np.frombuffer(raw, dtype="<f4" if bits == 32 else "<f8").astype(np.float32)
        values = np.nan_to_num(np.clip(values, -1.0, 1.0))
    elif bits == 8:
        values = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif bits == 16:
        values = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif bits == 24:
        triples = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        values = ints.astype(np.float32) / float(1 << 23)
    else:
        values = np.frombuffer(raw, dtype="<i4").astype(np.float32) / float(1 << 31)
    return values.reshape(-1, channels)


def to_wav_bytes(audio: Audio) -> bytes:
    """16-bit PCM mono WAV of ``audio``."""
    pcm = np.clip(audio.samples, -1.0, 1.0)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(audio.rate)
        out.writeframes((pcm * 32767.0).astype("<i2").tobytes())
    return buffer.getvalue()
