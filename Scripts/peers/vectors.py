"""Writes the vectors every engine of Scripts/bench searches: one AQVF file of clustered unit vectors and
one of queries drawn from the same clusters (new points, not copies of indexed ones).

AQVF: b"AQVF", rows and columns as little-endian uint32, a reserved uint32, then rows*columns float32 LE.

Clustered like real embeddings: a shared mean direction (embeddings are anisotropic), n/100 cluster
centres around it, each point its centre plus isotropic noise of varying spread, normalised.
    python vectors.py N DIM VECTORS_OUT QUERIES_OUT [QUERY_COUNT] [SEED]
"""
import struct
import sys

import numpy as np


def write_header(f, rows, cols):
    f.write(b"AQVF" + struct.pack("<III", rows, cols, 0))


def clustered(rng, centres, rows, dim):
    which = rng.integers(0, len(centres), rows)
    spread = rng.uniform(0.4, 1.0, (rows, 1)).astype(np.float32)
    x = centres[which] + spread * rng.standard_normal((rows, dim), dtype=np.float32) / np.sqrt(dim)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype("<f4")


def main():
    n, dim, out, queries_out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    query_count = int(sys.argv[5]) if len(sys.argv) > 5 else 200
    seed = int(sys.argv[6]) if len(sys.argv) > 6 else 7
    rng = np.random.default_rng(seed)
    mean = rng.standard_normal(dim).astype(np.float32)
    mean /= np.linalg.norm(mean)
    centres = 0.5 * mean + rng.standard_normal((max(16, n // 100), dim), dtype=np.float32) / np.sqrt(dim)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    with open(out, "wb") as f:
        write_header(f, n, dim)
        for start in range(0, n, 100_000):  # chunks keep 1M x 512 within a few hundred MB
            clustered(rng, centres, min(100_000, n - start), dim).tofile(f)
    with open(queries_out, "wb") as f:
        write_header(f, query_count, dim)
        clustered(rng, centres, query_count, dim).tofile(f)


if __name__ == "__main__":
    main()
