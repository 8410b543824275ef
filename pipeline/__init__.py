"""bitext: English news articles in, aligned Chinese and French sentence pairs out.

Data flows one way, a module (or subpackage) a stage, plain records (``document``)
between them:

    inputs -> ingest -> segment -> translate -> align -> store -> export
    (what to   (page ->   (body ->   (engines,      (pairs    (SQLite,   (jsonl, tsv, tmx,
     read)     Article)   Sentences) quality flags) checked)  memory)    moses, parquet, md, html)

* ``runner`` drives one run: it opens the engines (``open_engines``) and takes each
  article through the stages (``process_article``); the CLI only reports.
* ``translate`` is the translation stage: translation memory first, then the engine
  (``engines``: one small protocol, ctranslate2 and transformers behind it, decoding
  options in ``engines.options``, model conversion in ``engines.convert``), then
  ``cleanup`` and the ``quality`` checks on every pair. Quality steps that come before
  the engine (a glossary, examples in the prompt) and after it (retrying flagged pairs)
  belong here too.
* ``model`` finds the files an engine loads: the catalogue (``models/*.toml``), where
  models come from (PyPI chunks, the Hub) and the cache.
* ``align`` pairs source and target sentences; it is where aligning the site's own human
  editions (n:m beads) goes.
* Running the translation stage on a Ray cluster is a room of its own beside ``runner``,
  feeding the same store.
* ``languages`` is the one table of languages; ``errors`` the errors users can fix;
  ``view`` and ``reading`` show stored documents (terminal, HTML); ``evaluate`` scores
  test sets; ``cli`` is the only module that prints or exits.
"""

__version__ = "0.1.0"
