"""Text-to-speech speed: rendering whole packs from an empty cache, and cache hits.

.venv/bin/python bench/tts_bench.py [PACK ...]     (default: every pack in content/)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lessons.pack.discovery import find_pack_folders  # noqa: E402
from lessons.pack.loader import load_pack  # noqa: E402
from lessons.pack.phrases import pack_phrases  # noqa: E402
from speech.tts import SLOW_RATE, TextToSpeech, Voice  # noqa: E402

VOICES = (Voice(), Voice(rate=SLOW_RATE))  # what `sanapaja tts render` renders


def main() -> None:
    paths = [Path(arg) for arg in sys.argv[1:]] or [ROOT / "content"]
    folders, missing = find_pack_folders(paths)
    if missing:
        sys.exit("\n".join(missing))
    with tempfile.TemporaryDirectory() as cache:
        engine = TextToSpeech(Path(cache))
        print(f"{'pack':32s} {'new':>8s} {'renders':>8s} {'seconds':>8s} {'ms/render':>10s}")
        total_renders = 0
        total_seconds = 0.0
        all_jobs: list[tuple[str, Voice]] = []
        for folder in folders:
            pack = load_pack(folder).pack
            if pack is None:
                sys.exit(f"{folder} does not load; run sanapaja validate")
            jobs = [(text, voice) for text in pack_phrases(pack) for voice in VOICES]
            jobs = [job for job in jobs if not engine.is_cached(*job)]
            started = time.perf_counter()
            for text, voice in jobs:
                engine.render(text, voice)
            elapsed = time.perf_counter() - started
            all_jobs += jobs
            total_renders += len(jobs)
            total_seconds += elapsed
            per = 1000 * elapsed / max(len(jobs), 1)
            print(f"{pack.id:32s} {len(jobs) // 2:8d} {len(jobs):8d} {elapsed:8.2f} {per:10.1f}")
        print(
            f"{'all packs':32s} {'':8s} {total_renders:8d} {total_seconds:8.2f} "
            f"{1000 * total_seconds / max(total_renders, 1):10.1f}"
        )
        hits = []
        for text, voice in all_jobs[:2000]:
            started = time.perf_counter()
            engine.render(text, voice)
            hits.append(time.perf_counter() - started)
        hits.sort()
        p95 = hits[int(0.95 * (len(hits) - 1))]
        print(
            f"cache hit (a cached phrase): median {1e6 * statistics.median(hits):.0f} µs, "
            f"p95 {1e6 * p95:.0f} µs over {len(hits)} calls"
        )


if __name__ == "__main__":
    main()
