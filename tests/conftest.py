"""Shared pytest setup: offline model hub, and the jupyter_server fixtures (pytest-jupyter)."""

import os

# Runs use the MiniLM that ships in a package; nothing is fetched from the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# pytest only honours pytest_plugins in the top conftest; the server tests use these fixtures.
pytest_plugins = ["pytest_jupyter.jupyter_server"]
