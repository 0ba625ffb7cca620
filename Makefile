# Sanapaja: `make run` and `make test` set up everything they need on Debian/Ubuntu.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_PACKAGES := libvoikko1 voikko-fi espeak-ng sox chromium redis-server festival \
	festvox-suopuhe-lj festvox-suopuhe-mv mosquitto
PORT ?= 5000
MQTT_PORT ?= 18830

.PHONY: setup system-deps run test lint format clean

setup: system-deps $(STAMP)

# Installs missing Debian packages as root; otherwise prints the exact command and stops.
system-deps:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	done; \
	$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	  else \
	    echo "Missing system packages:$$missing"; \
	    echo "Run: sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# The server, and next to it a local Mosquitto with the fleet's accounts (unless
# SANAPAJA_MQTT_URL names a broker) and the robot bridge; Ctrl-C stops all three.
run: setup
	$(BIN)/sanapaja validate --spell content
	$(BIN)/sanapaja demo
	@trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	if [ -z "$$SANAPAJA_MQTT_URL" ]; then \
	  conf=$$($(BIN)/sanapaja robots broker --port $(MQTT_PORT)) || exit 1; \
	  $$(command -v mosquitto || echo /usr/sbin/mosquitto) -c $$conf & \
	  export SANAPAJA_MQTT_URL=mqtt://127.0.0.1:$(MQTT_PORT); \
	fi; \
	$(BIN)/sanapaja bridge --server http://127.0.0.1:$(PORT) & \
	echo "Robot tutor: register a robot for the demo group, then start the software robot:"; \
	echo "  $(BIN)/sanapaja robots add kiosk --group CODE   # CODE: the demo group's join code above"; \
	echo "  $(BIN)/sanapaja robot run kiosk --mqtt mqtt://kiosk:PASSWORD@127.0.0.1:$(MQTT_PORT)"; \
	$(BIN)/sanapaja serve --host 127.0.0.1 --port $(PORT)

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
