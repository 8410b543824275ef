"""The run as a library call (``runner.run``), without the command line: a tiny real
model, a store in a temporary folder, and what the run reports as it goes."""

from pipeline.engines import DecodingOptions
from pipeline.run_options import RunOptions, RunReport
from pipeline.runner import run
from pipeline.store import open_store

PAGE = "Ferry returns\n\nBy JO LEE | Example Daily | 2026-05-01\n\nThe ferry is back. Riders cheered.\n"


class Recorded(RunReport):
    """Every call a run makes on its report, in order."""

    def __init__(self):
        self.calls = []

    def on_inputs(self, inputs, *, fetching):
        self.calls.append(("inputs", inputs, fetching))

    def on_read(self, read, *, fetched):
        self.calls.append(("read", read.article.title if read else None))

    def on_queue(self, texts):
        self.calls.append(("queue", texts))

    def on_done(self, texts):
        self.calls.append(("done", texts))

    def on_article(self, result):
        self.calls.append(("article", result.remembered if result else None))

    def on_queue_end(self):
        self.calls.append(("end",))


def test_run_stores_the_aligned_pairs_and_reports_each_stage(tiny_qwen, model_cache, tmp_path):
    page = tmp_path / "ferry.txt"
    page.write_text(PAGE, encoding="utf-8")
    options = RunOptions(langs=("zh",), model=str(tiny_qwen), decoding=DecodingOptions(max_new_tokens=4),
                         cache_dir=model_cache, retries=0)
    first = Recorded()
    with open_store(tmp_path / "bitext.db") as store:
        summary = run([str(page)], options, store=store, report=first)
        pairs = list(store.iter_pairs())
    assert (summary.stored, summary.inputs, summary.failures, summary.interrupted) == (1, 1, [], False)
    assert summary.fetched is None  # no web page
    texts = 3  # the title and two sentences
    assert first.calls[:3] == [("inputs", 1, False), ("read", "Ferry returns"), ("queue", texts)]
    assert sum(call[1] for call in first.calls if call[0] == "done") == texts
    assert first.calls[-2:] == [("article", False), ("end",)]
    assert [(pair.kind, pair.index, pair.article.title) for pair in pairs] == [
        ("title", None, "Ferry returns"), ("sentence", 0, "Ferry returns"), ("sentence", 1, "Ferry returns")]
    assert all(set(pair.translations) == {"zh"} for pair in pairs)
    assert pairs[0].signatures["zh"].startswith("engine:ctranslate2|model:" + tiny_qwen.name)

    again = Recorded()  # the same run into the same store: all remembered, nothing queued
    with open_store(tmp_path / "bitext.db") as store:
        assert run([str(page)], options, store=store, report=again).stored == 1
        assert list(store.iter_pairs()) == pairs
    assert again.calls[2:] == [("queue", 0), ("article", True), ("end",)]


def test_an_input_that_cannot_be_read_is_a_failure_for_it_alone(tiny_qwen, model_cache, tmp_path):
    page = tmp_path / "ferry.txt"
    page.write_text(PAGE, encoding="utf-8")
    options = RunOptions(langs=("zh",), model=str(tiny_qwen), decoding=DecodingOptions(max_new_tokens=4),
                         cache_dir=model_cache, retries=0)
    with open_store(tmp_path / "bitext.db") as store:
        summary = run([str(tmp_path / "missing.txt"), str(page)], options, store=store)
        assert len(store.documents()) == 1
    assert summary.stored == 1 and summary.inputs == 2
    assert len(summary.failures) == 1 and "missing.txt: no such file" in summary.failures[0]
