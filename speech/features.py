"""Frame features: energy, voicing, spectral shape, log-mel and cepstra."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from speech.audio import SAMPLE_RATE, Samples

FRAME = 400  # 25 ms at 16 kHz
HOP = 160  # 10 ms
N_FFT = 512
N_MELS = 40
FRAME_SECONDS = HOP / SAMPLE_RATE

Matrix = npt.NDArray[np.float64]
Vector = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Frames:
    """Per-frame (10 ms) measurements of one utterance."""

    energy_db: Vector  # frame energy in dB relative to the utterance's loud frames
    voicing: Vector  # normalised autocorrelation peak in the pitch range, 0..1
    high_ratio: Vector  # share of energy above 3 kHz (frication)
    low_ratio: Vector  # share of energy below 1 kHz
    flux: Vector  # spectral change from the previous frame
    log_mel: Matrix  # frames x N_MELS, mean-normalised

    def __len__(self) -> int:
        return len(self.energy_db)


@cache
def _mel_filters() -> Matrix:
    def hz_to_mel(hz: Vector | float) -> Vector:
        return np.asarray(2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0), dtype=np.float64)

    def mel_to_hz(mel: Vector) -> Vector:
        return np.asarray(700.0 * (10.0 ** (mel / 2595.0) - 1.0), dtype=np.float64)

    edges = mel_to_hz(np.linspace(hz_to_mel(60.0), hz_to_mel(7600.0), N_MELS + 2))
    bins = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    filters = np.zeros((N_MELS, len(bins)))
    for index in range(N_MELS):
        low, centre, high = edges[index : index + 3]
        rising = (bins - low) / (centre - low)
        falling = (high - bins) / (high - centre)
        filters[index] = np.clip(np.minimum(rising, falling), 0.0, None)
    return filters


def frame_signal(samples: Samples) -> Matrix:
    if len(samples) < FRAME:
        samples = np.pad(samples, (0, FRAME - len(samples)))
    count = 1 + (len(samples) - FRAME) // HOP
    index = np.arange(FRAME)[None, :] + HOP * np.arange(count)[:, None]
    return np.asarray(samples[index], dtype=np.float64)


def compute_frames(samples: Samples) -> Frames:
    frames = frame_signal(samples)
    frames = frames - frames.mean(axis=1, keepdims=True)
    windowed = frames * np.hanning(FRAME)[None, :]
    spectrum = np.abs(np.fft.rfft(windowed, n=N_FFT, axis=1)) ** 2
    total = spectrum.sum(axis=1) + 1e-10
    bins = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    high_ratio = spectrum[:, bins >= 3000].sum(axis=1) / total
    low_ratio = spectrum[:, bins < 1000].sum(axis=1) / total
    energy = 10.0 * np.log10(total)
    reference = np.percentile(energy, 95) if len(energy) else 0.0
    energy_db = energy - reference
    # Voicing: the autocorrelation peak at lags of 2.5-16 ms (pitch 62-400 Hz).
    autocorr = np.fft.irfft(np.abs(np.fft.rfft(frames, n=2 * N_FFT, axis=1)) ** 2, axis=1)
    lag_low, lag_high = SAMPLE_RATE // 400, SAMPLE_RATE // 62
    peak = autocorr[:, lag_low:lag_high].max(axis=1)
    voicing = np.clip(peak / (autocorr[:, 0] + 1e-10), 0.0, 1.0)
    mel = np.log(spectrum @ _mel_filters().T + 1e-8)
    log_mel = mel - mel.mean(axis=0, keepdims=True)
    diff = np.diff(mel, axis=0, prepend=mel[:1])
    flux = np.sqrt(np.mean(diff**2, axis=1))
    return Frames(energy_db, voicing, high_ratio, low_ratio, flux, log_mel)


def cepstra(frames: Frames) -> Matrix:
    """Cepstral coefficients 1-12 of the log-mel frames, scaled to unit variance."""
    count = frames.log_mel.shape[1]
    basis = np.cos(np.pi / count * (np.arange(count)[None, :] + 0.5) * np.arange(1, 13)[:, None])
    values = frames.log_mel @ basis.T
    return np.asarray(values / (values.std(axis=0, keepdims=True) + 1e-6))
