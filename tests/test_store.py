"""The Parquet store: the same figures as loading in memory, kept up to date, never trusted when broken."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli
from analysis.cli import validation_record
from analysis.load.dataset import load_dataset
from analysis.store import ingest as store
from analysis.store.ingest import STORE_DIR_ENV, STORE_DIR_NAME, STORE_VERSION, can_write, ingest, store_location
from analysis.store.read import read_store
from tests.conftest import POLICE_HEADER, SAMPLE_DIR, SHARED_DATA, need_shared, street_csv
from tests.test_incidents import GOOD_ASB, GOOD_CRIME, NO_LOCATION

REAL_FILES = ("hubs.csv", "areas.geojson", "lsoa.geojson", "population.csv")


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal frames, dtypes and categories in the same order (pandas ignores category order)."""
    pd.testing.assert_frame_equal(a, b)
    for column in a.columns:
        if isinstance(a[column].dtype, pd.CategoricalDtype):
            assert list(a[column].cat.categories) == list(b[column].cat.categories), column


def assert_same_dataset(folder: Path) -> None:
    memory, stored = load_dataset(folder, store=False), load_dataset(folder, store=True)
    assert_same(memory.incidents, stored.incidents)
    assert validation_record(memory) == validation_record(stored)
    assert memory.fingerprint == stored.fingerprint


def gap_folder(root: Path) -> Path:
    """Real Cumbria months 2016-03 .. 2024-04 with the gaps between them, on the real boundaries."""
    cumbria = need_shared(SHARED_DATA / "police-uk" / "cumbria")
    real = need_shared(SHARED_DATA / "real")
    for name in REAL_FILES:
        shutil.copy(real / name, root / name)
    for month in sorted(cumbria.iterdir()):
        shutil.copytree(month, root / "incidents" / month.name)
    return root


# ---------------------------------------------------------------- the commands give identical answers


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    """Each folder loaded both ways, once."""
    loaded: dict[tuple[str, bool], object] = {}

    def _get(name: str, use_store: bool):
        if (name, use_store) not in loaded:
            folder = {"sample": lambda: SAMPLE_DIR, "real": lambda: need_shared(SHARED_DATA / "real" / "incidents")}
            folder["gap"] = lambda: gap_folder(tmp_path_factory.mktemp("gap"))
            path = loaded.setdefault((name, "path"), folder[name]() if name != "real" else folder[name]().parent)
            loaded[(name, use_store)] = load_dataset(path, store=use_store)
        return loaded[(name, use_store)]

    return _get


@pytest.mark.parametrize("name", ["sample", "real", "gap"])
def test_store_and_memory_give_the_same_incidents(datasets, name):
    memory, stored = datasets(name, False), datasets(name, True)
    assert_same(memory.incidents, stored.incidents)
    assert [r.to_dict() for r in memory.reports] == [r.to_dict() for r in stored.reports]


@pytest.mark.parametrize("name", ["sample", "real", "gap"])
@pytest.mark.parametrize("command", ["summary", "evaluate", "validate"])
def test_commands_answer_the_same_through_the_store(datasets, monkeypatch, capsys, name, command):
    outputs = []
    for use_store in (False, True):
        dataset = datasets(name, use_store)
        monkeypatch.setattr(cli, "load_dataset", lambda _folder, d=dataset: d)
        code = cli.main([command, str(dataset.folder), "--json"])
        outputs.append((code, capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[1][1])


def test_store_off_loads_in_memory_and_writes_no_store(make_folder, monkeypatch, tmp_path):
    folder = make_folder({"incidents/2019-01/2019-01-cumbria-street.csv": street_csv(GOOD_ASB, GOOD_CRIME)})
    monkeypatch.setenv(STORE_DIR_ENV, str(tmp_path / "stores"))
    monkeypatch.setenv(store.STORE_ENV, "off")
    assert len(load_dataset(folder).incidents) == 2
    assert not (tmp_path / "stores").exists()
    monkeypatch.setenv(store.STORE_ENV, "on")
    assert len(load_dataset(folder).incidents) == 2
    assert (store_location(folder) / "manifest.json").is_file()


# ---------------------------------------------------------------- bad input, through the store

BAD_ROWS = [
    GOOD_CRIME.replace("2019-01", "2019-13"),
    GOOD_CRIME.replace("Burglary", "Flying saucers"),
    GOOD_CRIME.replace("-3.387233", "200"),
    GOOD_CRIME.replace("54.868024", "north"),
    GOOD_CRIME.replace("54.868024", ""),
    GOOD_CRIME.replace("E01019126", "E0101"),
    GOOD_CRIME.replace("2019-01", "2019-00").replace("Burglary", "Nope").replace("-3.387233", "x"),
    "only,three,fields",
]


@pytest.mark.parametrize(
    "files",
    [
        {"2019-01/f.csv": street_csv(GOOD_ASB, *BAD_ROWS, NO_LOCATION)},
        {"bad.csv": b"", "good.csv": street_csv(GOOD_ASB)},
        {"bad.csv": b"\x00\x01binary", "good.csv": street_csv(GOOD_ASB)},
        {"bad.csv": b"a,b,c\n1,2,3\n", "good.csv": street_csv(GOOD_ASB)},
        {"f.csv": b"\xef\xbb\xbf" + street_csv(GOOD_ASB, GOOD_CRIME).encode()},
        {"f.csv": street_csv(GOOD_ASB, GOOD_CRIME.replace("Eden", "Caf\u00e9")).encode("cp1252")},
        {"f.csv": street_csv(GOOD_ASB, GOOD_CRIME, newline="\r\n")},
        {"f.csv": street_csv(GOOD_CRIME.replace("On or near Eden Street", '"On or\nnear"'), GOOD_ASB, BAD_ROWS[0])},
        {"f.csv": street_csv(GOOD_CRIME.replace("Burglary", "  anti-social  behaviour "))},
        # Other months in b.csv: the same month in two files is loaded once by the in-memory path, a rule the
        # store does not apply yet (it is opt-in until it does); repeats across months are compared here.
        {
            "a.csv": street_csv(GOOD_CRIME, GOOD_ASB),
            "b.csv": street_csv(*(r.replace(",2019-01,", ",2019-02,") for r in (GOOD_ASB, GOOD_CRIME, GOOD_CRIME))),
        },
        {"2019-01-outcomes.csv": "x\n", "f.csv": street_csv(GOOD_ASB)},
        {"broken.zip": b"PK\x03\x04 not really", "f.csv": street_csv(GOOD_ASB)},
        {
            "f.csv": ",".join([*reversed(street_csv().strip().split(",")), "Notes"])
            + "\n"
            + ",".join([*reversed(GOOD_CRIME.split(",")), "kept"])
            + "\n"
        },
        {"only-bad.csv": street_csv(BAD_ROWS[0])},
        {
            "a.csv": street_csv(GOOD_ASB),
            "b.csv": POLICE_HEADER + ",Notes\n" + GOOD_CRIME + ",x\n",
            "c.csv": ",".join(reversed(POLICE_HEADER.split(","))) + "\n" + ",".join(reversed(NO_LOCATION.split(","))),
        },
    ],
    ids=lambda files: "+".join(files),
)
def test_bad_input_gives_identical_reports_through_the_store(make_folder, files):
    assert_same_dataset(make_folder({f"incidents/{name}": content for name, content in files.items()}))


def test_folder_without_incidents_through_the_store(make_folder):
    folder = make_folder({"hubs.csv": "hub,region,station,area_code,launched\n"})
    assert_same_dataset(folder)


# ---------------------------------------------------------------- incremental ingest


def month_file(month: str, *ids: str) -> str:
    rows = [GOOD_CRIME.replace("aaa1", i).replace("2019-01", month) for i in ids]
    return street_csv(GOOD_ASB.replace("2019-01", month), *rows)


def test_only_new_changed_and_removed_files_are_ingested(make_folder):
    folder = make_folder(
        {
            "incidents/2019-01/2019-01-cumbria-street.csv": month_file("2019-01", "a1", "a2"),
            "incidents/2019-02/2019-02-cumbria-street.csv": month_file("2019-02", "b1"),
        }
    )
    first = ingest(folder)
    assert (first.rebuilt, len(first.ingested), first.rows) == (True, 2, 5)
    assert (first.store / "incidents" / "force=cumbria" / "month=2019-02").is_dir()
    again = ingest(folder)
    assert (again.ingested, again.removed, again.changed) == ([], [], False)

    new = folder / "incidents/2019-03/2019-03-cumbria-street.csv"
    new.parent.mkdir()
    new.write_text(month_file("2019-03", "c1", "a1"))  # a1 repeats a record of 2019-01
    added = ingest(folder)
    assert added.ingested == ["incidents/2019-03/2019-03-cumbria-street.csv"] and len(added.unchanged) == 2
    assert added.rows == 7
    assert_same_dataset(folder)

    changed = folder / "incidents/2019-01/2019-01-cumbria-street.csv"
    changed.write_text(month_file("2019-01", "a2", "a3", "a4"))  # a1 no longer repeats
    assert ingest(folder).ingested == ["incidents/2019-01/2019-01-cumbria-street.csv"]
    assert_same_dataset(folder)

    os.utime(new, ns=(1, 1))  # touched, same content: its hash says unchanged
    assert ingest(folder).ingested == []

    shutil.rmtree(folder / "incidents/2019-02")
    removed = ingest(folder)
    assert removed.removed == ["incidents/2019-02/2019-02-cumbria-street.csv"]
    assert not (removed.store / "incidents" / "force=cumbria" / "month=2019-02").exists()
    assert_same_dataset(folder)
    incidents, _ = read_store(removed.store)
    assert "2019-02" not in set(incidents["month"].astype("str"))


def test_a_file_sorting_first_changes_which_copy_is_the_repeat(make_folder):
    folder = make_folder({"incidents/b.csv": month_file("2019-01", "x1", "x2")})
    ingest(folder)
    (folder / "incidents/a.csv").write_text(month_file("2019-02", "x2"))
    assert_same_dataset(folder)
    rejected = load_dataset(folder).reports[1].rejected
    assert rejected["reasons"].tolist() == ["Crime ID repeats a record already read from incidents/a.csv"]


def test_changed_hubs_reassign_every_place(make_folder):
    hubs = "hub,region,station,area_code,launched\n{name},North,Workington,E07000026,2019-04-01\n"
    lsoa = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"lsoa_code": "E01019126", "area_code": "E07000026"},
                "geometry": {"type": "Polygon", "coordinates": [[[-4, 54], [-3, 54], [-3, 55], [-4, 55], [-4, 54]]]},
            }
        ],
    }
    folder = make_folder(
        {
            "hubs.csv": hubs.format(name="Allerdale"),
            "lsoa.geojson": json.dumps(lsoa),
            "incidents/f.csv": street_csv(GOOD_ASB, GOOD_CRIME, NO_LOCATION),
        }
    )
    ingest(folder)
    (folder / "hubs.csv").write_text(hubs.format(name="West Cumbria"))
    assert ingest(folder).reassigned
    stored = load_dataset(folder)
    assert stored.incidents["hub"].astype("str").tolist() == ["West Cumbria", "West Cumbria", "Unassigned"]
    assert_same_dataset(folder)


def test_force_comes_from_the_file_name_or_falls_within(make_folder):
    folder = make_folder(
        {
            "incidents/2019-01-city-of-london-street.csv": month_file("2019-01", "l1"),
            "incidents/mine.csv": month_file("2019-02", "m1"),
        }
    )
    manifest = json.loads((ingest(folder).store / "manifest.json").read_text())
    forces = {e["name"]: [p["force"] for p in e["parts"]] for e in manifest["sources"]}
    assert forces == {
        "incidents/2019-01-city-of-london-street.csv": ["city-of-london"],
        "incidents/mine.csv": ["cumbria"],
    }


# ---------------------------------------------------------------- a month supplied twice is loaded once


def _age(folder: Path, rel: str, seconds: int) -> None:
    path = folder / "incidents" / rel
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime - seconds))


def _accounted(dataset) -> None:
    """Rows read = accepted + rejected in every file, and the accepted rows are the incidents."""
    assert all(r.balanced for r in dataset.reports)
    assert sum(r.rows_accepted for r in dataset.reports if r.kind == "incidents") == len(dataset.incidents)


OLD = "old/2019-01/2019-01-cumbria-street.csv"
NEW = "new/2019-01/2019-01-cumbria-street.csv"
TWICE = street_csv(GOOD_ASB, GOOD_ASB, GOOD_CRIME)
SPLIT = GOOD_CRIME.replace("aaa1", "ccc3")
RESUPPLIED = {
    # police.uk's file for the month, downloaded twice: the newer wins (aged below)
    "newer wins": {OLD: TWICE, NEW: TWICE},
    # the same age: the one with more rows, then the first by name
    "more rows win": {OLD: street_csv(GOOD_ASB, GOOD_ASB, GOOD_CRIME, NO_LOCATION), NEW: TWICE},
    "first name wins": {OLD: TWICE, NEW: TWICE},
    # differently named files sharing most crimes are two downloads; sharing none, one month split
    "shared crimes": {"part-1.csv": street_csv(GOOD_CRIME, GOOD_ASB), "part-2.csv": street_csv(GOOD_CRIME, GOOD_ASB)},
    "split month": {"part-1.csv": street_csv(GOOD_CRIME, GOOD_ASB), "part-2.csv": street_csv(SPLIT, GOOD_ASB)},
    # a stray row of another month does not make a supply of it
    "stray row": {
        "2019-01/2019-01-cumbria-street.csv": street_csv(GOOD_ASB, GOOD_CRIME),
        "2019-02/2019-02-cumbria-street.csv": street_csv(GOOD_ASB, *[GOOD_ASB.replace(",2019-01,", ",2019-02,")] * 2),
    },
    # the losing file's other month stays, and its Crime IDs no longer repeat the winner's
    "two months, one lost": {
        OLD: street_csv(GOOD_ASB, GOOD_CRIME, *[SPLIT.replace("2019-01", "2019-02").replace("ccc", i) for i in "de"]),
        NEW: street_csv(GOOD_ASB, GOOD_CRIME),
        "z.csv": street_csv(GOOD_CRIME.replace("2019-01", "2019-03")),
    },
}


@pytest.mark.parametrize("case", list(RESUPPLIED))
def test_a_month_in_two_files_is_loaded_once_through_the_store(make_folder, case):
    folder = make_folder({f"incidents/{rel}": text for rel, text in RESUPPLIED[case].items()})
    if case in {"newer wins", "two months, one lost"}:
        _age(folder, OLD, 3600)
    if case in {"more rows win", "first name wins", "shared crimes", "split month"}:
        for path in (folder / "incidents").rglob("*.csv"):
            os.utime(path, ns=(10**18, 10**18))
    assert_same_dataset(folder)
    stored = load_dataset(folder, store=True)
    _accounted(stored)
    rejected = {r.file: r.rows_rejected for r in stored.reports}
    expected = {
        "newer wins": {f"incidents/{OLD}": 3, f"incidents/{NEW}": 0},
        "more rows win": {f"incidents/{OLD}": 0, f"incidents/{NEW}": 3},
        "first name wins": {f"incidents/{OLD}": 3, f"incidents/{NEW}": 0},  # new/ sorts before old/
        "shared crimes": {"incidents/part-1.csv": 0, "incidents/part-2.csv": 2},
        "split month": {"incidents/part-1.csv": 0, "incidents/part-2.csv": 0},
        "stray row": {
            "incidents/2019-01/2019-01-cumbria-street.csv": 0,
            "incidents/2019-02/2019-02-cumbria-street.csv": 0,
        },
        "two months, one lost": {f"incidents/{OLD}": 2, f"incidents/{NEW}": 0, "incidents/z.csv": 1},
    }[case]
    assert rejected == expected


def test_a_second_copy_of_a_month_arriving_and_leaving(make_folder):
    # Incremental ingest keeps the rule: the month is counted once whichever copies are there.
    folder = make_folder(
        {f"incidents/{OLD}": TWICE, "incidents/2019-02/2019-02-cumbria-street.csv": month_file("2019-02", "b1")}
    )
    _age(folder, OLD, 3600)
    ingest(folder)
    assert len(load_dataset(folder, store=True).incidents) == 5

    copy = folder / "incidents" / NEW
    copy.parent.mkdir(parents=True)
    copy.write_text(street_csv(GOOD_ASB, GOOD_CRIME))  # a newer download of 2019-01, one ASB row fewer
    added = ingest(folder)
    assert added.ingested == [f"incidents/{NEW}"] and added.rows == 4
    assert_same_dataset(folder)
    stored = load_dataset(folder, store=True)
    _accounted(stored)
    assert int(stored.incidents["is_asb"].sum()) == 2  # one from each month, not 1 + 2 + 1

    os.utime(folder / "incidents" / OLD, ns=(4 * 10**18, 4 * 10**18))  # the old copy touched: now the newer
    touched = ingest(folder)
    assert touched.ingested == [] and touched.rows == 5
    assert_same_dataset(folder)

    (folder / "incidents" / OLD).unlink()  # the copy that won leaves: the other is loaded whole
    removed = ingest(folder)
    assert removed.removed == [f"incidents/{OLD}"] and removed.rows == 4
    assert_same_dataset(folder)
    stored = load_dataset(folder, store=True)
    assert all(r.rows_rejected == 0 for r in stored.reports)
    assert not any("skipped" in note for r in stored.reports for note in r.notes)


def test_a_real_month_downloaded_twice_counts_once(tmp_path):
    # The real folder with 2018-11 downloaded again later (a zip of it, as police.uk's custom download gives).
    real = need_shared(SHARED_DATA / "real")
    folder = tmp_path / "twice"
    shutil.copytree(real, folder)
    month = "2018-11/2018-11-cumbria-street.csv"
    import zipfile

    with zipfile.ZipFile(folder / "incidents" / "later.zip", "w") as archive:
        archive.write(real / "incidents" / month, month)
    os.utime(folder / "incidents" / month, ns=(10**18, 10**18))  # the zip member (its own timestamp) is newer
    assert_same_dataset(folder)
    once, twice = load_dataset(real, store=True), load_dataset(folder, store=True)
    _accounted(twice)
    assert len(twice.incidents) == len(once.incidents)
    loser = next(r for r in twice.reports if r.file == f"incidents/{month}")
    assert (loser.rows_accepted, loser.rows_rejected) == (0, loser.rows_read)


# ---------------------------------------------------------------- a broken store is rebuilt


def _truncate_a_part(store_dir: Path) -> None:
    part = next(store_dir.rglob("part-*.parquet"))
    part.write_bytes(part.read_bytes()[:-20])


def _wrong_version(store_dir: Path) -> None:
    path = store_dir / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps(manifest | {"version": STORE_VERSION + 99}))


def _garbage_manifest(store_dir: Path) -> None:
    (store_dir / "manifest.json").write_bytes(b"\x00{not json")


def _scrambled_part(store_dir: Path) -> None:  # same size: only reading finds it
    part = next(store_dir.rglob("part-*.parquet"))
    part.write_bytes(b"\x00" * part.stat().st_size)


@pytest.mark.parametrize(
    "damage,said",
    [
        (_truncate_a_part, "truncated"),
        (_wrong_version, "another version"),
        (_garbage_manifest, "manifest could not be read"),
        (_scrambled_part, None),
    ],
)
def test_corrupt_store_is_rebuilt_with_a_message(make_folder, caplog, damage, said):
    folder = make_folder({"incidents/2019-01/2019-01-cumbria-street.csv": month_file("2019-01", "a1", "a2")})
    store_dir = ingest(folder).store
    damage(store_dir)
    caplog.set_level("WARNING", logger="analysis")
    if said:
        report = ingest(folder)
        assert report.rebuilt and said in report.messages[0] and str(store_dir) in report.messages[0]
        damage(store_dir)
    assert_same_dataset(folder)
    assert "was rebuilt" in caplog.text
    assert ingest(folder).changed is False


def _ingest_in_child(folder: str) -> None:
    ingest(folder)


def test_two_ingests_at_once_leave_a_valid_store(make_folder):
    files = {
        f"incidents/2019-{m:02d}/2019-{m:02d}-cumbria-street.csv": month_file(f"2019-{m:02d}", f"i{m}")
        for m in range(1, 13)
    }
    folder = make_folder(files)
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_ingest_in_child, args=(str(folder),)) for _ in range(2)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=120)
    assert [child.exitcode for child in children] == [0, 0]
    after = ingest(folder)
    assert (after.rebuilt, after.changed, after.rows, after.messages) == (False, False, 24, [])
    assert not list(after.store.rglob("*.tmp"))
    assert_same_dataset(folder)


# ---------------------------------------------------------------- a data folder that cannot be written


def test_store_sits_in_the_data_folder_when_it_is_writable(make_folder, monkeypatch):
    folder = make_folder({"incidents/f.csv": street_csv(GOOD_ASB)})
    monkeypatch.delenv(STORE_DIR_ENV)
    assert can_write(folder)
    assert ingest(folder).store == folder.resolve() / STORE_DIR_NAME
    assert load_dataset(folder).fingerprint == load_dataset(folder, store=False).fingerprint


@pytest.mark.parametrize("how", ["injected", "os.access"])
def test_read_only_data_folder_keeps_its_store_in_the_cache(make_folder, monkeypatch, tmp_path, how):
    # Tests run as root, whom chmod does not stop: the check is injected, or os.access is made to say no.
    folder = make_folder({"incidents/f.csv": street_csv(GOOD_ASB, GOOD_CRIME)})
    monkeypatch.delenv(STORE_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    if how == "injected":
        report = ingest(folder, writable=lambda _path: False)
    else:
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == folder else real_access(p, mode))
        assert not can_write(folder)
        report = ingest(folder)
        assert len(load_dataset(folder).incidents) == 2
    assert report.store.parent == tmp_path / "cache" / "local-focus"
    assert report.rows == 2
    assert not (folder / STORE_DIR_NAME).exists()


# ---------------------------------------------------------------- the command


def test_ingest_command(make_folder, capsys):
    folder = make_folder({"incidents/2019-01/2019-01-cumbria-street.csv": month_file("2019-01", "a1")})
    assert cli.main(["ingest", str(folder)]) == 0
    assert "Files ingested 1, skipped as unchanged 0, removed 0; 2 records" in capsys.readouterr().out
    assert cli.main(["ingest", str(folder), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["files_ingested"], record["files_unchanged"], record["rows"]) == (0, 1, 2)
    assert cli.main(["ingest", str(folder / "nowhere")]) == 1
    assert "does not exist" in capsys.readouterr().err
