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


def _raw_counts(folder):
    """ASB and crime per month straight from the police.uk CSVs (csv module only), kept once per file month."""
    import csv
    from collections import Counter

    asb, crime, seen = Counter(), Counter(), set()
    for path in sorted((folder / "incidents").rglob("*-street.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                crime_id = row["Crime ID"].strip()
                if crime_id and crime_id in seen:
                    continue  # the same crime again (police.uk repeats some across months): counted once
                seen.add(crime_id)
                (asb if row["Crime type"] == "Anti-social behaviour" else crime)[row["Month"]] += 1
    return asb, crime


@pytest.mark.parametrize("name", ["gap", "city"])
def test_summary_json_gives_null_never_zero_for_months_not_supplied(name, real_folders):
    folder = real_folders[name]
    asb, crime = _raw_counts(folder)
    out = subprocess.run(
        [sys.executable, "-m", "analysis", "summary", str(folder), "--json"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    got_asb, got_crime = {}, {}
    for row in record["rows"]:
        if row["asb"] is None:
            assert row["month"] not in asb and "asb" in row["not_supplied"] and row["why"]
            assert row.get("asb_rate_per_1000") is None
        else:
            got_asb[row["month"]] = got_asb.get(row["month"], 0) + row["asb"]
        if row["crime"] is not None:
            got_crime[row["month"]] = got_crime.get(row["month"], 0) + row["crime"]
    assert got_asb == dict(asb) and got_crime == dict(crime)
    gaps = record["coverage"]["months_not_supplied"]
    if name == "gap":
        assert len(gaps["asb"]) == len(gaps["crime"]) == 93
    else:  # City of London 2017-05: 505 crimes and no ASB at all
        assert gaps == {"crime": [], "asb": ["2017-05"]}
        assert got_crime["2017-05"] == crime["2017-05"]


def test_validate_json_lists_the_months_not_supplied(real_folders):
    out = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", str(real_folders["city"]), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    record = json.loads(out.stdout)
    assert record["coverage"]["months_not_supplied"]["asb"] == ["2017-05"]
    assert record["coverage"]["months_in_span"] == 60
    assert record["rows_read"] == record["rows_accepted"] + record["rows_rejected"]


def test_a_fault_of_the_tool_exits_2_with_a_sentence_and_no_traceback(tmp_path, monkeypatch, capsys):
    from analysis import cli

    def broken(args):
        raise KeyError("internal detail")

    monkeypatch.setenv("LOCAL_FOCUS_LOG", str(tmp_path / "faults.log"))
    monkeypatch.setitem(cli.COMMANDS, "summary", (broken, "broken"))
    assert cli.main(["summary", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "fault in Local Focus" in err and "Traceback" not in err and "internal detail" not in err
    assert "KeyError: 'internal detail'" in (tmp_path / "faults.log").read_text()


def test_a_users_problem_exits_1_with_its_own_sentence(tmp_path, capsys):
    from analysis import cli

    assert cli.main(["summary", str(tmp_path / "nowhere")]) == 1
    assert "does not exist" in capsys.readouterr().err
