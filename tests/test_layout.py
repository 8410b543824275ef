"""The package's shape: no module over 400 lines (the developers' guide), so each one is
read whole; a module that grows past it is split along a real seam."""

import re
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


def layout_section() -> str:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    return readme.split("\n## Layout", 1)[1].split("\n## ", 1)[0]


def test_the_readme_layout_names_every_module():
    """The README's Layout section is the map a newcomer reads first: every module and
    subpackage of pipeline/ and every script is on it, and nothing it names is gone."""
    layout = layout_section()
    modules = {path.name for path in PACKAGE.rglob("*.py") if path.name not in ("__init__.py", "__main__.py")}
    modules |= {f"{path.name}/" for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    modules |= {path.name for path in (PACKAGE.parent / "scripts").glob("*.py") if path.name != "__init__.py"}
    missing = sorted(name for name in modules if name not in layout)
    assert not missing, f"add these to the README's Layout section: {missing}"
    named = set(re.findall(r"\b([a-z_0-9]+\.py)\b", layout))
    existing = {path.name for path in PACKAGE.parent.rglob("*.py") if ".venv" not in path.parts}
    assert not named - existing, f"the Layout section names modules that are gone: {sorted(named - existing)}"
