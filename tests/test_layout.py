"""The package's shape: no module over 400 lines (the developers' guide), so each one is
read whole; a module that grows past it is split along a real seam."""

from pathlib import Path

import pipeline

PACKAGE = Path(pipeline.__file__).parent
MAX_LINES = 400


def test_no_module_is_over_400_lines():
    sizes = {path: len(path.read_text(encoding="utf-8").splitlines())
             for path in sorted(PACKAGE.rglob("*.py"))}
    assert len(sizes) > 40  # the walk sees the package
    too_long = {str(path.relative_to(PACKAGE.parent)): lines for path, lines in sizes.items() if lines > MAX_LINES}
    assert not too_long, f"split these along a real seam: {too_long}"
