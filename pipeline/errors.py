"""Errors a user can cause and fix. The CLI prints them as one line and exits non-zero."""


class BitextError(Exception):
    """Base class for errors reported to the user without a traceback."""


class InputError(BitextError):
    """An article that cannot be read or holds no article text."""


class ModelError(BitextError):
    """A model that is unknown, missing, corrupt or cannot be loaded."""


class ClusterError(BitextError):
    """A Ray cluster that cannot be used as asked: not installed, unreachable, too small."""


class StoreError(BitextError):
    """A store file that cannot be opened or has an unsupported schema."""


class Interrupted(Exception):
    """The user asked to stop (Ctrl-C); what was translated so far is kept.

    Not a ``BitextError``: stopping is not a mistake, and the CLI reports it its own way."""
