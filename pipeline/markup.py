"""Text made safe to carry in XML and HTML: what a TMX file and a reading page both need."""

from __future__ import annotations

import re

# What XML 1.0 forbids (its Char production): control characters other than tab, newline
# and carriage return, surrogates, U+FFFE and U+FFFF. HTML forbids them too.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_chars(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry, so a TMX or a reading page is
    always well-formed, whatever an older store holds."""
    return _NOT_XML.sub("", text)
