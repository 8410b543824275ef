"""What worker threads share loads once: engines and their variants, embedders, detectors."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from pipeline.alignment import embeddings
from pipeline.engines import DecodingOptions, create_engine
from pipeline.model import resolve
from pipeline.once import Once, once

THREADS = 6


def side_by_side(function, arguments):
    """``function`` on every argument, all threads released at the same moment."""
    start = threading.Barrier(len(arguments))

    def call(argument):
        start.wait()
        return function(argument)

    with ThreadPoolExecutor(len(arguments)) as pool:
        return list(pool.map(call, arguments))


def counted(calls: list, load, pause: float = 0.3):
    """``load`` that counts its calls and takes long enough for every thread to arrive."""
    def slow(*args):
        calls.append(threading.get_ident())
        time.sleep(pause)
        return load(*args)

    return slow


@pytest.mark.parametrize("engine_name", ["ctranslate2", "transformers"])
def test_an_unloaded_engine_and_its_variants_load_once_however_many_threads_ask(
        tiny_qwen, model_cache, engine_name, monkeypatch):
    files = resolve(str(tiny_qwen), cache_dir=model_cache)
    engine_class = type(create_engine(engine_name, files, cache_dir=model_cache, options=DecodingOptions()))
    loads: list[int] = []
    monkeypatch.setattr(engine_class, "_load_model", counted(loads, engine_class._load_model))
    engine = create_engine(engine_name, files, cache_dir=model_cache,
                           options=DecodingOptions(max_new_tokens=4, workers=2))
    strict = engine.variant(strict_prompt=True)  # a retry's decoding shares the model

    outputs = side_by_side(lambda e: e.translate(["Riders cheered."], src="en", tgt="zh"), [engine, strict] * 3)

    assert len(loads) == 1
    assert outputs[0] == outputs[2] == outputs[4] and outputs[1] == outputs[3] == outputs[5]


def test_embedders_load_their_model_once_under_threads(monkeypatch):
    loads: list[int] = []

    class Embedder(embeddings.E5Embedder):
        _load = counted(loads, lambda self: "model")

    embedder = Embedder()
    assert side_by_side(lambda _: embedder._model, range(THREADS)) == ["model"] * THREADS
    assert len(loads) == 1


def test_once_makes_each_value_once_and_allows_a_loader_to_ask_for_another():
    calls: list[int] = []

    @once
    def value(name):
        calls.append(name)
        time.sleep(0.2)
        return [value(part) for part in name.split("+")] if "+" in name else name

    assert side_by_side(value, ["a+b"] * THREADS) == [["a", "b"]] * THREADS
    assert sorted(calls) == ["a", "a+b", "b"]


def test_a_load_that_fails_is_tried_again_by_the_next_caller():
    attempts = []

    def load():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("disk busy")
        return "model"

    lazily = Once(load)
    with pytest.raises(OSError):
        lazily.get()
    assert not lazily.loaded and lazily.get() == "model" and lazily.loaded
