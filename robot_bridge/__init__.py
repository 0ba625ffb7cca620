"""The robot tutor's side of Sanapaja: the MQTT protocol, the bridge and the software robot.

The bridge speaks MQTT to robots and drives each robot's lesson through the lesson server's
HTTP API, as a tablet does. It never imports tutor_server or speech.
"""

from __future__ import annotations

__version__ = "0.1.0"
