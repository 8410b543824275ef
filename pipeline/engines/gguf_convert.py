"""CTranslate2 models written straight from a GGUF file, one tensor at a time.

Loading a GGUF file with transformers de-quantizes the whole model into float32 torch
tensors (about 7 GB for the default 1.5B model) before CTranslate2's converter sees any
of it. Here each tensor is read from the file on its own, de-quantized to float32 (as
transformers does, so CTranslate2 rounds the same numbers to int8) and put in
CTranslate2's model spec, and each part of the spec is quantized as soon as it is set:
at most a layer's query, key and value, or a slice of a vocabulary-sized matrix, is
float32 at a time.
The layout follows CTranslate2's own Qwen2 loader (``Qwen2Loader``); llama.cpp writes
Qwen2's query and key weights unpermuted, so they are taken as they are.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..progress import Progress, library_bars_to, no_progress

# GGUF architectures (general.architecture) this module converts; others go through transformers.
STREAMED_ARCHITECTURES = ("qwen2",)
# The vocabulary-sized matrices (embeddings, output projection) are de-quantized and
# quantized this many rows at a time: CTranslate2 scales int8 weights row by row, so
# slices give the bytes the whole matrix would.
ROWS_PER_SLICE = 8192
_LENDING = threading.Lock()  # GGUFFile lends its open reader to transformers one at a time


@dataclass(frozen=True)
class DecoderShape:
    """What a GGUF file's metadata says about its decoder."""

    layers: int
    heads: int
    heads_kv: int
    rope_theta: float
    rms_norm_eps: float
    vocabulary_size: int  # rows of the embedding matrix
    tied_embeddings: bool  # no output matrix of its own: the embeddings project the output


class GGUFFile:
    """A GGUF file's metadata and tensors, each tensor read from disk only when asked for.

    Tensor bytes are read with plain file reads rather than through the reader's memory
    map, so pages of weights already converted do not count in the process's memory.
    """

    def __init__(self, path: Path):
        import gguf

        try:
            self._reader = gguf.GGUFReader(path)
        except (OSError, ValueError, IndexError) as error:  # IndexError: a file cut short
            raise ModelError(f"{path}: not a readable GGUF file ({error})") from None
        self.path = path
        self._tensors = {tensor.name: tensor for tensor in self._reader.tensors}

    def tokenizer(self, *, progress: Progress = no_progress, step: str = "reading the tokenizer"):
        """The model's transformers tokenizer, made from this file's metadata (no weights are read)."""
        import transformers

        with library_bars_to(progress, step), self._reader_lent_to_transformers():
            return transformers.AutoTokenizer.from_pretrained(self.path.parent, gguf_file=self.path.name)

    @contextmanager
    def _reader_lent_to_transformers(self) -> Iterator[None]:
        """transformers reads the tokenizer through a GGUFReader of its own: parsing 150,000
        tokens and merges again takes seconds. For the length of this block, opening this
        file gives it the reader already open."""
        import gguf

        # The swap is of a module's global: two conversions at once would restore each
        # other's stand-in, so one lends its reader at a time.
        with _LENDING:
            original = gguf.GGUFReader


            def open_reader(path, *args, **kwargs):
                if not args and not kwargs and Path(path).resolve() == self.path.resolve():
                    return self._reader
                return original(path, *args, **kwargs)

            gguf.GGUFReader = open_reader
            try:
                yield
            finally:
                gguf.GGUFReader = original

    def value(self, key: str, default=None):
        field = self._reader.get_field(key)
        return default if field is None else field.contents()

    @property
    def architecture(self) -> str:
        return str(self.value("general.architecture", ""))

    def has(self, name: str) -> bool:
        return name in self._tensors

    def rows(self, name: str) -> int:
        """The first dimension of a tensor as numpy (and transformers) sees it."""
        return int(self._tensor(name).shape[-1])  # GGUF lists dimensions innermost first

    def tensor(self, name: str, rows: slice = slice(None)) -> np.ndarray:
        """A tensor (or a slice of its rows) de-quantized to float32, in transformers' layout."""
        from gguf.quants import dequantize

        tensor = self._tensor(name)
        layout = tensor.data  # a view of the memory map: its shape and dtype, no bytes read
        start, stop, _ = rows.indices(layout.shape[0])
        row_bytes = layout[0].nbytes if layout.ndim > 1 else layout.itemsize
        with open(self.path, "rb") as file:
            file.seek(tensor.data_offset + start * row_bytes)
            raw = np.fromfile(file, dtype=layout.dtype, count=(stop - start) * row_bytes // layout.itemsize)
        raw = raw.reshape((stop - start, *layout.shape[1:]))
        return np.ascontiguousarray(dequantize(raw, tensor.tensor_type), dtype=np.float32)

    def _tensor(self, name: str):
        try:
            return self._tensors[name]
        except KeyError:
            raise ModelError(f"{self.path}: GGUF file has no tensor {name}") from None


def decoder_shape(model: GGUFFile) -> DecoderShape:
    """Read the decoder's dimensions from the metadata, refusing an architecture not streamed."""
    architecture = model.architecture
    if architecture not in STREAMED_ARCHITECTURES:
        raise ModelError(
            f"{model.path}: GGUF architecture {architecture or '(none)'!r} cannot be converted "
            f"tensor by tensor; supported: {', '.join(STREAMED_ARCHITECTURES)}"
        )

    def number(key: str, default=None):
        value = model.value(f"{architecture}.{key}", default)
        if value is None:
            raise ModelError(f"{model.path}: GGUF metadata lacks {architecture}.{key}")
        return value

    heads = int(number("attention.head_count"))
    return DecoderShape(
        layers=int(number("block_count")),
        heads=heads,
        heads_kv=int(number("attention.head_count_kv", heads)),
        # Defaults as in CTranslate2's and transformers' Qwen2 configurations.
        rope_theta=float(number("rope.freq_base", 10_000.0)),
        rms_norm_eps=float(number("attention.layer_norm_rms_epsilon", 1e-6)),
        vocabulary_size=model.rows("token_embd.weight"),
        tied_embeddings=not model.has("output.weight"),
    )


def convert_gguf(
    model: GGUFFile, output: Path, *, tokenizer, compute_type: str = "int8", progress: Progress = no_progress,
    step: str = "converting",
) -> None:
    """Write the CTranslate2 model of a GGUF file into the new folder ``output``.

    ``tokenizer`` is the model's transformers tokenizer (its vocabulary and special
    tokens go into the CTranslate2 model); ``progress`` hears ``step`` once per layer.
    """
    from ctranslate2.specs import common_spec, transformer_spec

    shape = decoder_shape(model)
    spec = transformer_spec.TransformerDecoderModelSpec.from_config(
        shape.layers,
        shape.heads,
        activation=common_spec.Activation.SWISH,
        pre_norm=True,
        ffn_glu=True,
        rms_norm=True,
        rotary_dim=0,
        rotary_interleave=False,
        rotary_base=shape.rope_theta,
        num_heads_kv=None if shape.heads_kv == shape.heads else shape.heads_kv,
    )
    decoder = spec.decoder
    decoder.scale_embeddings = False
    total = shape.layers + 2
    try:
        # The two vocabulary-sized matrices first, while little else is held.
        progress(step, 0, total)
        _set_in_slices(decoder.embeddings, model, "token_embd.weight", compute_type)
        projection = "token_embd.weight" if shape.tied_embeddings else "output.weight"
        _set_in_slices(decoder.projection, model, projection, compute_type)
        _set(decoder.layer_norm, compute_type, gamma=model.tensor("output_norm.weight"))
        progress(step, 1, total)
        for number, layer in enumerate(decoder.layer):
            _set_layer(layer, model, f"blk.{number}.", compute_type)
            progress(step, number + 2, total)
    except ValueError as error:  # shapes that do not fit the spec, an unknown tensor type
        raise ModelError(f"{model.path}: cannot convert GGUF tensors: {error}") from None

    tokens = [token for token, _ in sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])]
    # As CTranslate2's Qwen2 loader: the embedding matrix may have rows past the tokenizer's.
    tokens += [f"<extra_id_{n}>" for n in range(shape.vocabulary_size - len(tokens))]
    spec.register_vocabulary(tokens)
    spec.config.bos_token = tokenizer.bos_token if tokenizer.bos_token is not None else tokenizer.pad_token
    spec.config.eos_token = tokenizer.eos_token
    spec.config.unk_token = tokenizer.unk_token if tokenizer.unk_token is not None else ""
    spec.config.layer_norm_epsilon = shape.rms_norm_eps
    spec.validate()
    spec.optimize(quantization=None)  # aliases repeated variables; every part is quantized already
    output.mkdir(parents=True)
    spec.save(str(output))
    progress(step, total, total)


def _set_layer(layer, model: GGUFFile, prefix: str, compute_type: str) -> None:
    """One decoder layer, as CTranslate2's Qwen2 loader lays it out (query, key and value in one matrix)."""
    from ctranslate2.converters.utils import fuse_linear
    from ctranslate2.specs import common_spec

    def linear(name: str) -> dict[str, np.ndarray]:
        values = {"weight": model.tensor(f"{prefix}{name}.weight")}
        if model.has(f"{prefix}{name}.bias"):
            values["bias"] = model.tensor(f"{prefix}{name}.bias")
        return values

    _set(layer.self_attention.layer_norm, compute_type, gamma=model.tensor(f"{prefix}attn_norm.weight"))
    _set(layer.ffn.layer_norm, compute_type, gamma=model.tensor(f"{prefix}ffn_norm.weight"))
    query_key_value = [common_spec.LinearSpec() for _ in range(3)]
    for spec, name in zip(query_key_value, ("attn_q", "attn_k", "attn_v"), strict=True):
        for key, value in linear(name).items():
            setattr(spec, key, value)
    fused = common_spec.LinearSpec()
    fuse_linear(fused, query_key_value)
    del query_key_value
    _set(layer.self_attention.linear[0], compute_type, weight=fused.weight, bias=fused.bias)
    del fused
    _set(layer.self_attention.linear[1], compute_type, **linear("attn_output"))
    _set(layer.ffn.linear_0, compute_type, **linear("ffn_gate"))
    _set(layer.ffn.linear_0_noact, compute_type, **linear("ffn_up"))
    _set(layer.ffn.linear_1, compute_type, **linear("ffn_down"))


def _set(target, compute_type: str, **values) -> None:
    """Set variables of one part of the spec, quantized (or cast) as CTranslate2 does at save.

    The part is optimized on a copy of its own: optimizing a part inside the spec could
    alias two of its variables under a name relative to the part, which the saved model
    would not resolve. Aliases across the model are found once, at the end.
    """
    part = copy.copy(target)
    for name, value in values.items():
        setattr(part, name, value)
    part.validate()
    part.optimize(quantization=compute_type)
    for name, value in vars(part).items():
        if not name.startswith("_"):
            setattr(target, name, value)


def _set_in_slices(target, model: GGUFFile, name: str, compute_type: str) -> None:
    """Set ``target.weight`` (and its int8 scales) from a vocabulary-sized matrix, a slice at a time."""
    if not compute_type.startswith("int8"):  # int16 scales the whole matrix at once; casts need no slices
        _set(target, compute_type, weight=model.tensor(name))
        return
    rows = model.rows(name)
    weights = scales = None  # allocated once the first slice shows the dtypes
    for start in range(0, rows, ROWS_PER_SLICE):
        part = copy.copy(target)
        _set(part, compute_type, weight=model.tensor(name, slice(start, start + ROWS_PER_SLICE)))
        weight, scale = part.weight.numpy(), part.weight_scale.numpy()
        if weights is None:
            weights = np.empty((rows, *weight.shape[1:]), dtype=weight.dtype)
            scales = np.empty(rows, dtype=scale.dtype)
        weights[start : start + len(weight)] = weight
        scales[start : start + len(weight)] = scale
    target.weight, target.weight_scale = weights, scales
