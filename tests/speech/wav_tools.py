"""Making WAV files of any format for the audio tests."""

from __future__ import annotations

import io
import struct
import wave

import numpy as np

from speech.audio import Audio


def tone(seconds: float = 0.5, rate: int = 16_000, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * 220 * t)).astype(np.float64)


def pcm_wav(samples: np.ndarray, rate: int, bits: int, channels: int = 1) -> bytes:
    data = np.repeat(samples[:, None], channels, axis=1)
    if bits == 8:
        raw = (np.clip(data, -1, 1) * 127 + 128).astype(np.uint8).tobytes()
    elif bits == 16:
        raw = (np.clip(data, -1, 1) * 32767).astype("<i2").tobytes()
    elif bits == 24:
        ints = (np.clip(data, -1, 1) * (2**23 - 1)).astype("<i4").reshape(-1)
        raw = b"".join(int(v).to_bytes(4, "little", signed=True)[:3] for v in ints)
    else:
        raw = (np.clip(data, -1, 1) * (2**31 - 1)).astype("<i4").tobytes()
    return riff(1, channels, rate, bits, raw)


def float_wav(samples: np.ndarray, rate: int, bits: int = 32) -> bytes:
    raw = samples.astype("<f4" if bits == 32 else "<f8").tobytes()
    return riff(3, 1, rate, bits, raw)


def riff(tag: int, channels: int, rate: int, bits: int, raw: bytes) -> bytes:
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(raw)) + raw
    return b"RIFF" + struct.pack("<I", len(body)) + body


def audio_wav(audio: Audio) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(audio.rate)
        out.writeframes((np.clip(audio.samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()
