"""bitext: English news articles in, aligned Chinese and French sentence pairs out.

The package is a one-way pipeline, one module a stage:
ingest -> segment -> translate -> align -> store -> export.
"""

__version__ = "0.1.0"
