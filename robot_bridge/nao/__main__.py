"""``python -m robot_bridge.nao ROBOT_ID MQTT_URL [NAOQI_URL]``: run the adapter on a NAO."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from robot_bridge.nao.player import run


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO)
    naoqi = argv[2] if len(argv) == 3 else "tcp://127.0.0.1:9559"
    run(argv[0], argv[1], naoqi, Path.home() / ".sanapaja")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
