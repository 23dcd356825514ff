"""The command line: exit codes, plain sentences, JSON shape."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analysis.cli import main
from tests.conftest import ROOT, street_csv

GOOD = ",2019-01,C,C,-3.1,54.5,On or near X,E01019126,Allerdale 001A,Anti-social behaviour,,"
BAD = "x1,2019-13,C,C,-3.1,54.5,On or near X,E01019126,Allerdale 001A,Burglary,Under investigation,"


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True)


def test_validate_real_folder(real_dir):
    result = run_cli("validate", str(real_dir), "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["usable"] is True
    assert record["rows_read"] == record["rows_accepted"] + record["rows_rejected"]
    incident_files = [f for f in record["files"] if f["kind"] == "incidents"]
    assert sum(f["rows_read"] for f in incident_files) == 18_384


def test_validate_broken_folder_exits_1_and_lists_rejected_rows(make_folder, capsys):
    folder = make_folder({"incidents/a.csv": street_csv(GOOD, BAD), "incidents/b.csv": b"\x00\x00", "hubs.csv": ""})
    assert main(["validate", str(folder), "--json"]) == 1
    record = json.loads(capsys.readouterr().out)
    by_file = {f["file"]: f for f in record["files"]}
    a = by_file["incidents/a.csv"]
    assert (a["rows_read"], a["rows_accepted"], a["rows_rejected"]) == (2, 1, 1)
    assert a["rejected"][0]["line"] == 3
    assert a["rejected"][0]["reasons"] == ["Month '2019-13' is not a real month (expected YYYY-MM)"]
    assert "is not a text file" in by_file["incidents/b.csv"]["problem"]
    assert "hubs.csv is empty" in by_file["hubs.csv"]["problem"]


def test_validate_text_output(make_folder, capsys):
    folder = make_folder({"incidents/a.csv": street_csv(GOOD, BAD)})
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Rows read 2 = accepted 1 + rejected 1" in out
    assert "line 3: Month '2019-13'" in out


@pytest.mark.parametrize("command", ["validate", "summary"])
def test_missing_folder_is_a_sentence_not_a_traceback(command):
    result = run_cli(command, "/no/such/folder")
    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_summary_without_usable_incidents(make_folder, capsys):
    folder = make_folder({"incidents/a.csv": "nothing,useful\n1,2\n"})
    assert main(["summary", str(folder)]) == 1
    assert "No usable incident records" in capsys.readouterr().out


def test_summary_on_sample_has_patrol_hours(sample_dir, capsys):
    assert main(["summary", str(sample_dir), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["generated"] is True
    assert any(row.get("patrol_hours") for row in record["rows"])
    assert {"asb", "crime", "asb_rate_per_1000", "patrol_hours"} <= set(record["rows"][0])


def test_evaluate_sample_reports_interval_and_method():
    result = run_cli("evaluate", str(ROOT / "data" / "sample"), "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    overall = record["overall"]
    assert set(overall) >= {"effect_pct", "ci_low_pct", "ci_high_pct", "method", "months_before", "months_after"}
    assert overall["ci_low_pct"] < overall["effect_pct"] < overall["ci_high_pct"]
    # The sample was generated with a -15% launch effect: the interval must contain it.
    assert overall["ci_low_pct"] < -15 < overall["ci_high_pct"]
    assert len(record["hubs"]) == 6 and record["placebo"]
    assert record["generated"] is True


def test_evaluate_real_folder_cannot_tell_yet(real_dir):
    result = run_cli("evaluate", str(real_dir))
    assert result.returncode == 1
    assert result.stdout.startswith("Cannot tell yet")
    assert "%" not in result.stdout  # no made-up number
    as_json = json.loads(run_cli("evaluate", str(real_dir), "--json").stdout)
    assert as_json["estimate"] is None and as_json["reason"].startswith("Cannot tell yet")
