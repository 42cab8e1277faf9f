import json
import os
from pathlib import Path

import pytest

from trackbench_kedro.probes import measured


def test_writes_the_blocks_figures(tmp_path: Path) -> None:
    out = tmp_path / "probes.json"
    with measured(str(out)):
        sum(i * i for i in range(200_000))
    probes = json.loads(out.read_text())
    assert set(probes) == {"wallMs", "cpuMs", "peakRssBytes", "diskWriteBytes", "writeBytes"}
    assert probes["wallMs"] > 0 and probes["cpuMs"] > 0
    assert probes["peakRssBytes"] > 1_000_000  # a Python interpreter holds more than 1 MB


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


def test_marks_the_block_for_the_instruction_count_instrument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trackbench_kedro import probes

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
