"""bitext: English news articles in, aligned Chinese and French sentence pairs out.

Data flows one way, a module (or subpackage) a stage, plain records (``document``)
between them:

    inputs -> ingest -> segment -> translate -> alignment -> store -> export
    (what to   (page ->   (body ->   (engines,      (pairs        (SQLite,   (jsonl, tsv, tmx,
     read)     Article)   Sentences) quality flags) checked,      memory)    moses, parquet,
                                                    editions n:m)            md, html)

* ``runner`` drives one run in stages (``runner.run``, its options and progress
  callbacks in ``run_options``): every article read and stored, then one length-sorted
  queue of everything the memory lacks (``workqueue``), then each article completed as
  its texts arrive; the CLI only fills the options and reports.
* ``translate`` is the translation stage: translation memory first, then the engine
  (``engines``: one small protocol, ctranslate2 and transformers behind it, decoding
  options in ``engines.options``, model conversion in ``engines.convert``), then
  ``cleanup`` and the ``quality`` checks on every pair. Quality steps that come before
  the engine (a glossary, examples in the prompt) and after it (retrying flagged pairs)
  belong here too.
* ``model`` finds the files an engine loads: the catalogue (``models/*.toml``), where
  models come from (PyPI chunks, the Hub) and the cache.
* ``alignment`` pairs English sentences with their translations: the machine ones
  one-to-one by construction (``alignment.machine`` checks and assembles the document),
  the site's own human editions n:m in beads (embeddings and a dynamic-programming path).
* ``ray_translate`` works through the same queue on a Ray cluster (an actor pool, each
  actor loading the engine once); the driver stays the one writer of the store.
* ``languages`` is the one table of languages; ``errors`` the errors users can fix;
  ``view`` and ``reading`` show stored documents (terminal, HTML); ``evaluate`` scores
  test sets; ``cli`` is the only module that prints or exits.
"""

__version__ = "0.1.0"
