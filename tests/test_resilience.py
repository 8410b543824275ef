"""Kills, Ctrl-C and concurrent runs, for real: `bitext run` in subprocesses on tiny models."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.crashing import NOTHING, bitext_command, kill_and_resume, make_articles, store_contents, wait_for_growth

pytestmark = pytest.mark.slow  # subprocess runs, kills and resumes: about a minute


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    return make_articles(tmp_path_factory.mktemp("articles"), 60)


@pytest.fixture(scope="module")
def uninterrupted(tiny_qwen, model_cache, articles, tmp_path_factory):
    """The store an uninterrupted run makes, and how long it took from its first stored
    batch to its end (this machine's pace, to time kills by)."""
    db = tmp_path_factory.mktemp("reference") / "bitext.db"
    process = subprocess.Popen(bitext_command(articles, db, str(tiny_qwen), model_cache, 48),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_growth(db, process, NOTHING, timeout=300)
    started = time.monotonic()
    assert process.wait() == 0
    return store_contents(db), time.monotonic() - started


@pytest.fixture(scope="module")
def reference(uninterrupted):
    """The store an uninterrupted run makes."""
    return uninterrupted[0]


def test_sigkill_at_random_moments_then_resume_loses_nothing(tiny_qwen, model_cache, articles, uninterrupted,
                                                             tmp_path):
    reference, seconds = uninterrupted
    db = tmp_path / "bitext.db"
    command = bitext_command(articles, db, str(tiny_qwen), model_cache, 48)
    # Kills within the first quarter of the work, so three of them still leave work for the
    # last: a fixed window of 3 s once let the first two kills take nearly all of it on a
    # fast machine, and the third could not land before the end.
    kills = kill_and_resume(command, db, kills=3, window=(0.0, seconds / 4), seed=7,
                            documents=len(reference["documents"]))
    assert len(kills) == 3
    for kill in kills:  # each kill landed mid-run: after a stored batch, before the end
        assert kill.after.translations >= 1, kills
        assert kill.after.documents < len(reference["documents"]), kills
        assert kill.after != kill.before, kills  # the killed run had stored work of its own
    crashed = store_contents(db)
    assert crashed["integrity"] == "ok" and crashed["foreign_keys"] == []
    assert crashed["translation_rows"] == len(crashed["translations"])  # no duplicates
    assert len(crashed["documents"]) == 60
    assert crashed == reference


# Ctrl-C, and SIGTERM: how systemd, Docker and Kubernetes stop a process.
@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_stop_signal_stops_after_the_batch_and_says_how_to_resume(signum, status, tiny_qwen, model_cache, articles,
                                                                    reference, tmp_path):
    db = tmp_path / "bitext.db"
    command = bitext_command(articles, db, str(tiny_qwen), model_cache, 48)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    held = NOTHING
    while held.translations == 0:  # wait for the first stored chunk of translations
        held = wait_for_growth(db, process, held, timeout=120)
        assert held is not None, process.communicate()[1]
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == status, stderr  # 128 + the signal, as a shell reports it
    assert "interrupted:" in stderr and "run the same command again" in stderr
    assert "Traceback" not in stderr
    partial = store_contents(db)
    assert len(partial["documents"]) == 60  # every article read and stored first
    assert 0 < len(partial["translations"]) < len(reference["translations"])  # then stopped mid-translation
    subprocess.run(command, check=True, capture_output=True)
    assert store_contents(db) == reference


def test_two_runs_on_one_store_at_once(tiny_qwen, model_cache, articles, reference, tmp_path):
    db = tmp_path / "bitext.db"
    files = sorted(articles.iterdir())
    first = bitext_command(articles, db, str(tiny_qwen), model_cache, 48)
    # The second run takes the same articles in reverse order, so the two meet in the middle.
    second = [*first[:first.index("run") + 1], *map(str, reversed(files)), *first[first.index("--db"):]]
    processes = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for c in (first, second)]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    assert store_contents(db) == reference


def blocked_reading_stdin(process) -> bool:
    """Whether the process's main thread waits in read(2) on its standard input (Linux)."""
    try:
        return Path(f"/proc/{process.pid}/syscall").read_text().startswith("0 0x0 ")
    except OSError:
        return False


@pytest.mark.parametrize("source", ["fifo", "stdin"])
def test_a_stop_signal_while_an_input_is_read_stops_at_once(source, tiny_qwen, model_cache, tmp_path):
    """A pipe or FIFO may take for ever to end: with no batch in flight there is nothing to
    wait for, so SIGTERM stops the run at once, and nothing half-read is stored."""
    db = tmp_path / "bitext.db"
    fifo = tmp_path / "incoming"
    os.mkfifo(fifo)
    command = bitext_command(fifo if source == "fifo" else Path("-"), db, str(tiny_qwen), model_cache, 8)
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    writer = None
    deadline = time.monotonic() + 120
    while writer is None and time.monotonic() < deadline and process.poll() is None:
        if source == "stdin":
            writer = process.stdin if blocked_reading_stdin(process) else None
        else:
            try:  # succeeds once the run has opened the FIFO for reading
                writer = os.fdopen(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK), "wb")
            except OSError:
                pass
        time.sleep(0.05)
    assert writer is not None, process.communicate(timeout=30)
    writer.write(b"Ferry returns\n\nThe ferry ret")  # half an article, and the writer stays
    writer.flush()
    time.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    try:
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
        writer.close()
    stderr = stderr.decode()
    assert process.returncode == 143, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not db.exists() or not store_contents(db)["documents"]
