"""The issue's two memory scenarios, each in a fresh Python: the kernel stays within its budgets.

They take one to three minutes on a 2-core machine, so they run only when asked:
``DLVIZ_MEMORY_SCENARIOS=1 .venv/bin/python -m pytest tests/kernel/test_memory_scenarios.py``.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MiB = 1024 * 1024
SCRIPT = Path(__file__).with_name("memory_scenarios.py")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("DLVIZ_MEMORY_SCENARIOS"),
                       reason="set DLVIZ_MEMORY_SCENARIOS=1 to run (minutes)"),
]


def measure(name):
    done = subprocess.run([sys.executable, str(SCRIPT), name], capture_output=True, text=True,
                          timeout=900, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(report))
    return report


@pytest.mark.parametrize("name", ["cnn", "transformer"])
def test_the_issue_scenario_stays_within_the_byte_budgets(name):
    report = measure(name)
    assert report["kind"] == "result", report["error"]
    kept = report["kept"]
    assert kept["budget_bytes"] == 32 * MiB
    # The result fits the default 64 MiB cap, the kept runs their 256 MiB.
    assert kept["bytes"] <= 64 * MiB
    assert report["kept_run_bytes"] <= 256 * MiB
    assert kept["snapshot_epochs"] == report["snapshot_epochs"]
    assert kept["snapshot_epochs"][-1] == report["epochs_completed"]
    assert kept["message"] and "To stay within 32 MiB" in kept["message"]
    # On main the CNN scenario kept 13 epochs of 17 MB filters and the transformer 61 of 3 MB
    # attention; now the whole process (torch included) stays well under a 1 GiB pod share.
    assert report["peak_rss_bytes"] < 1024 * MiB
