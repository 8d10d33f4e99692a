"""The installed package finds its bundled data from any directory."""

import subprocess
import sys

from imr_rules.paths import data_file, rules_dir


def test_rules_dir_holds_the_topic_list():
    assert (rules_dir() / "topics.yaml").is_file()
    assert data_file("topics.yaml").read_text(encoding="utf-8").startswith("#")


def test_command_runs_from_another_directory(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", "from imr_rules.paths import rules_dir; print(rules_dir())"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip().endswith("rules")
