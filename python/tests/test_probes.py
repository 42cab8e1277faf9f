import json
import os
import sys
import time
from pathlib import Path

import pytest

from trackbench_kedro import memory, probes
from trackbench_kedro.probes import measured


def test_writes_the_blocks_figures(tmp_path: Path) -> None:
    out = tmp_path / "probes.json"
    with measured(str(out)):
        sum(i * i for i in range(200_000))
    probes = json.loads(out.read_text())
    assert set(probes) == {
        "wallMs", "cpuMs", "peakRssBytes", "diskWriteBytes", "writeBytes", "retainedBytes", "setupMs", "setupCpuMs"
    }
    assert probes["wallMs"] > 0 and probes["cpuMs"] > 0
    assert probes["peakRssBytes"] > 1_000_000  # a Python interpreter holds more than 1 MB
    assert probes["setupMs"] is None and probes["setupCpuMs"] is None  # no mark(): no set-up measured


def test_set_up_is_timed_from_the_mark_to_the_block_and_taken_once(tmp_path: Path) -> None:
    probes.mark()
    time.sleep(0.3)  # set-up that waits (a client connecting): wall time, little CPU
    sum(i * i for i in range(300_000))  # and set-up that computes
    with measured(str(tmp_path / "first.json")):
        pass
    first = json.loads((tmp_path / "first.json").read_text())
    assert first["setupMs"] >= 290 and first["wallMs"] < 290
    assert 0 < first["setupCpuMs"] < first["setupMs"] - 200
    with measured(str(tmp_path / "second.json")):
        pass
    second = json.loads((tmp_path / "second.json").read_text())
    assert second["setupMs"] is None  # the mark was the first block's


def test_set_up_is_not_timed_when_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "getpriority", lambda which, who: 0)
    monkeypatch.setattr(probes, "_COUNTED", True)
    probes.mark()
    with measured(str(tmp_path / "counted.json")):
        pass
    counted = json.loads((tmp_path / "counted.json").read_text())
    assert counted["setupMs"] is None and counted["setupCpuMs"] is None  # the time would be Valgrind's


def test_counts_bytes_written_in_the_block(tmp_path: Path) -> None:
    out = tmp_path / "probes.json"
    if not Path("/proc/self/io").exists():
        pytest.skip("no /proc/self/io here")
    with measured(str(out)):
        (tmp_path / "data").write_bytes(b"x" * 300_000)
    assert json.loads(out.read_text())["writeBytes"] >= 300_000


def test_writes_them_when_the_block_raises(tmp_path: Path) -> None:
    out = tmp_path / "probes.json"
    with pytest.raises(RuntimeError):
        with measured(str(out)):
            raise RuntimeError("boom")
    assert json.loads(out.read_text())["wallMs"] >= 0


def test_writes_none_when_a_hook_calls_sys_exit_mid_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "probes.json"

    def after_node_run() -> None:
        sys.exit(0)

    with pytest.raises(SystemExit):
        with measured(str(out)):
            after_node_run()
    assert not out.exists()  # exit code 0 and no probes: trackbench fails the trial, never measures it
    said = capsys.readouterr().err
    assert "ended by SystemExit(0) in after_node_run() at %s:" % __file__ in said


def test_marks_the_block_for_the_instruction_count_instrument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    calls: list[tuple[int, int]] = []

    def getpriority(which: int, who: int) -> int:
        calls.append((which, who))
        return 0

    monkeypatch.setattr(os, "getpriority", getpriority)
    monkeypatch.setattr(probes, "_COUNTED", False)
    with measured(str(tmp_path / "a.json")):
        pass
    assert calls == []  # not counted: no marks
    monkeypatch.setattr(probes, "_COUNTED", True)
    probes.mark()
    with measured(str(tmp_path / "b.json")):
        assert len(calls) == 2  # set-up's start, then the block's
    assert calls == [(os.PRIO_PROCESS, 0)] * 3


def test_memory_held_at_the_hold_point_or_else_at_the_blocks_end(tmp_path: Path) -> None:
    size = 25 * 1024 * 1024
    with measured(str(tmp_path / "none.json")):
        pass
    base = json.loads((tmp_path / "none.json").read_text())["retainedBytes"]
    assert base > 1024 * 1024  # an interpreter holds megabytes; zero would be a figure not read

    kept = []
    with measured(str(tmp_path / "end.json")):
        kept.append(bytearray(b"x" * size))
    at_end = json.loads((tmp_path / "end.json").read_text())["retainedBytes"] - base
    assert size * 0.9 < at_end < size * 1.1
    kept.clear()

    # Taken where the pipeline ends: what a hook lets go of afterwards is still counted.
    with measured(str(tmp_path / "point.json")):
        held = bytearray(b"x" * size)
        probes.hold_point()
        del held
    at_point = json.loads((tmp_path / "point.json").read_text())["retainedBytes"] - base
    assert size * 0.9 < at_point < size * 1.1


def test_memory_held_counts_small_objects_and_is_not_taken_when_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = memory.held_bytes()
    small = [str(i) * 3 for i in range(200_000)]  # objects pymalloc serves, in its own arenas
    after = memory.held_bytes()
    assert before is not None and after is not None
    sizes = sum(sys.getsizeof(s) for s in small) + sys.getsizeof(small)
    assert sizes * 0.9 < after - before < sizes * 1.5  # blocks are rounded up to 16 bytes
    monkeypatch.setattr(probes, "_COUNTED", True)
    with measured(str(tmp_path / "counted.json")):
        probes.hold_point()
    assert json.loads((tmp_path / "counted.json").read_text())["retainedBytes"] is None


class Clock:
    """The block's clocks (wall and CPU alike), moved only by the test; the memory probe takes 0.3 s, as a full
    collection after importing MLflow."""

    now = 10.0

    @staticmethod
    def perf_counter() -> float:
        return Clock.now

    process_time = perf_counter

    @staticmethod
    def held_bytes() -> int:
        Clock.now += 0.3
        return 1


def test_the_memory_probes_own_time_is_left_out_of_the_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probes, "time", Clock)
    monkeypatch.setattr(probes, "held_bytes", Clock.held_bytes)
    with measured(str(tmp_path / "p.json")):
        probes.hold_point()
    figures = json.loads((tmp_path / "p.json").read_text())
    assert figures["retainedBytes"] == 1
    assert figures["wallMs"] == pytest.approx(0) and figures["cpuMs"] == pytest.approx(0)


def test_the_memory_probes_own_io_is_left_out_of_the_blocks(tmp_path: Path) -> None:
    # The probe writes CPython's allocator statistics (kilobytes of text) to a temporary file and reads them
    # back; that write and what the file's removal did not cancel are the probe's, not the block's.
    if not Path("/proc/self/io").exists():
        pytest.skip("no /proc/self/io here")
    with measured(str(tmp_path / "p.json")):
        probes.hold_point()
    figures = json.loads((tmp_path / "p.json").read_text())
    assert figures["retainedBytes"] > 0
    assert figures["writeBytes"] == 0 and figures["diskWriteBytes"] == 0


def test_a_stretch_outside_is_left_out_of_the_block_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Set-up the block holds (a later run's Kedro session created between two runs) is not the block's; a hold
    # point within it is left out once, not twice.
    monkeypatch.setattr(probes, "time", Clock)
    monkeypatch.setattr(probes, "held_bytes", Clock.held_bytes)
    with probes.outside():  # no block: nothing to leave out of
        Clock.now += 1
    with measured(str(tmp_path / "p.json")):
        Clock.now += 0.1
        with probes.outside():
            Clock.now += 0.5
            probes.hold_point()
        Clock.now += 0.1
    figures = json.loads((tmp_path / "p.json").read_text())
    assert figures["wallMs"] == pytest.approx(200) and figures["cpuMs"] == pytest.approx(200)
    assert figures["retainedBytes"] == 1


def test_writes_none_when_the_block_fails_setting_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "probes.json"
    with pytest.raises(probes.NotMeasured):
        with measured(str(out)):
            raise probes.NotMeasured("the Kedro session could not be created")
    assert not out.exists()  # no run: no figures (the error says what failed; the block adds nothing)
    assert capsys.readouterr().err == ""
