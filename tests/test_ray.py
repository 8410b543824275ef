"""Stage (b) on Ray, for real: a Ray instance on this machine (loopback only), the tiny
model through the same `bitext run --ray` code a cluster runs."""

import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing

import pytest

from pipeline.cli import app

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]  # a hang in Ray fails the test instead of stalling CI

# Read when Ray is imported: every Ray process of these tests listens on loopback only.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'bitext[ray]' (make test installs it)")

ARTICLES = {
    "ferry.txt": "Town reopens its river ferry\n\nThe ferry returned on Monday after two years. "
                 '"It is back. We are glad," said Mayor Ana Ruiz.\n\nRiders cheered.\n',
    "bridge.txt": "Bridge plan delayed\n\nRiders cheered. The bridge will wait until 2028, officials said.\n",
    "library.txt": "Library opens in old warehouse\n\nThe library opened on Tuesday. It holds 40,000 books.\n",
}


@pytest.fixture(scope="module")
def ray_instance():
    """A Ray instance inside the test process: 2 CPUs, no dashboard, loopback only."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    yield
    ray.shutdown()


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run_args(folder, db, model, cache, *extra):
    return ["run", str(folder), "--to", "zh,fr", "--db", str(db), "--model", str(model), "--max-new-tokens", "6",
            "--cache-dir", str(cache), "--threads", "1", *extra]


def stored(db):
    with closing(sqlite3.connect(db)) as conn:
        return {
            "translations": sorted(conn.execute(
                "SELECT t.source, t.lang, t.text, t.pieces, t.flags, s.signature FROM translations t"
                " JOIN signatures s ON s.id = t.signature_id")),
            "complete": sorted(conn.execute("SELECT doc_id, lang FROM document_translations")),
            "documents": conn.execute("SELECT count(*) FROM documents").fetchone()[0],
        }


def test_a_ray_run_stores_what_a_local_run_stores(ray_instance, tiny_qwen, model_cache, folder, tmp_path, cli,
                                                  monkeypatch):
    from pipeline import ray_translate

    workers = []
    original = ray_translate._decode_result

    def recording(chunk, text):
        result = original(chunk, text)
        workers.append(result.worker)
        return result

    monkeypatch.setattr(ray_translate, "_decode_result", recording)
    local, remote = tmp_path / "local.db", tmp_path / "ray.db"
    assert cli.invoke(app, run_args(folder, local, tiny_qwen, model_cache)).exit_code == 0
    result = cli.invoke(app, run_args(folder, remote, tiny_qwen, model_cache, "--ray", "local"))
    assert result.exit_code == 0, result.output
    assert "3 of 3 articles" in result.stderr
    # Every text stored, byte for byte as the local run stored it, under the same signature.
    assert stored(remote) == stored(local)
    assert stored(remote)["documents"] == 3 and len(stored(remote)["complete"]) == 6
    # The work ran in an actor, not in the driver.
    assert workers and all(worker and not worker.endswith(f":{os.getpid()}") for worker in workers)

    # A second run finds everything in memory and sends nothing to Ray.
    workers.clear()
    again = cli.invoke(app, run_args(folder, remote, tiny_qwen, model_cache, "--ray", "local"))
    assert again.exit_code == 0, again.output
    assert workers == [] and again.stderr.count("already stored") == 3


def test_a_pool_that_would_take_every_cpu_is_refused_in_one_line(ray_instance, tiny_qwen, model_cache, folder,
                                                                  tmp_path, cli):
    db = tmp_path / "bitext.db"
    result = cli.invoke(app, run_args(folder, db, tiny_qwen, model_cache, "--ray", "local", "--actors", "2"))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert "2 actors x 1 threads would take 2 of the cluster's 2 CPUs" in line and "ray-project/ray#44687" in line
    assert "Traceback" not in result.output


def test_without_ray_installed_the_option_says_how_to_install_it(tiny_qwen, model_cache, folder, tmp_path, cli,
                                                                monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails, as where it is not installed
    result = cli.invoke(app, run_args(folder, tmp_path / "bitext.db", tiny_qwen, model_cache, "--ray", "local"))
    assert result.exit_code == 1
    assert "pip install 'bitext[ray]'" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "bitext.db").exists()  # said before anything was read or written


@pytest.fixture
def head_node():
    """A Ray head node started with `ray start --block`, listening on loopback only, in a
    process group of its own: stopping it stops nothing else (`ray stop` would stop every
    Ray process of this machine, this test's own among them)."""
    port = free_port()
    temp = tempfile.mkdtemp(prefix="ray-", dir="/tmp")  # short: Ray's socket paths must fit in 107 bytes
    # As on a real cluster: token authentication, the token given to every node and driver.
    env = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "token",
           "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    ray_cli = os.path.join(os.path.dirname(sys.executable), "ray")
    head = subprocess.Popen([ray_cli, "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={port}",
                             "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats",
                             f"--temp-dir={temp}"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not listening(port):
            assert head.poll() is None and time.monotonic() < deadline, "ray start did not come up"
            time.sleep(0.5)
        yield f"127.0.0.1:{port}", env
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=5)  # it would drain for 30 s: nothing here needs draining
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()
        shutil.rmtree(temp, ignore_errors=True)


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with closing(socket.socket()) as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_run_on_a_head_node_started_with_ray_start(head_node, tiny_qwen, model_cache, folder, tmp_path):
    # A separate process: the driver joins the cluster as a user's `bitext run --ray host:port` would.
    address, env = head_node
    db = tmp_path / "bitext.db"
    command = [sys.executable, "-m", "pipeline.cli", *run_args(folder, db, tiny_qwen, model_cache, "--ray", address)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=240, env=env)
    assert finished.returncode == 0, finished.stderr
    assert stored(db)["documents"] == 3 and len(stored(db)["complete"]) == 6
    # Without the cluster's token the driver is refused, in one line, within the connect timeout.
    stranger = {**env, "RAY_AUTH_TOKEN": "not-the-token"}
    refused = subprocess.run(command[:-2] + ["--ray", address, "--db", str(tmp_path / "other.db")],
                             capture_output=True, text=True, timeout=240, env=stranger)
    assert refused.returncode == 1
    (line,) = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert f"cannot join the Ray cluster at {address}" in line and "RAY_AUTH_MODE=token" in line
    assert "Traceback" not in refused.stderr
