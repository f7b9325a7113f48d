"""The peers of `atlasqa-bench search`, on the same AQVF files: numpy brute force (its bundled OpenBLAS)
and sqlite-vec's vec0 (brute-force KNN inside SQLite). One engine per process, so each reports its own
peak RSS. Prints one JSON line.
    python vector_peers.py numpy|sqlite-vec VECTORS QUERIES QUERY_COUNT K WORKDIR
"""
import json
import os
import resource
import sqlite3
import sys
import time

import numpy as np


def read_aqvf(path):
    with open(path, "rb") as f:
        head = f.read(16)
        assert head[:4] == b"AQVF", f"{path}: not an AQVF file"
        rows, cols = np.frombuffer(head[4:12], dtype="<u4")
        return np.fromfile(f, dtype="<f4", count=int(rows) * int(cols)).reshape(int(rows), int(cols))


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, queries):
    fn(queries[0])  # warm-up, untimed (ours does the same)
    times = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))


def bench_numpy(matrix, queries, k):
    def search(q):
        scores = matrix @ q
        top = np.argpartition(-scores, k)[:k]
        return top[np.argsort(-scores[top], kind="stable")]
    return {"engine": "numpy", "ms": timed(search, queries), "version": np.__version__}


def bench_sqlite_vec(matrix, queries, k, workdir):
    import sqlite_vec

    n, dim = matrix.shape
    path = os.path.join(workdir, f"vec0-{n}x{dim}.sqlite")
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.enable_load_extension(True)
    sqlite_vec.load(db)
    db.enable_load_extension(False)
    # Generous page cache and mmap so queries read from memory, as ours does.
    db.execute("PRAGMA cache_size = -2097152")
    db.execute("PRAGMA mmap_size = 4294967296")
    db.execute(f"CREATE VIRTUAL TABLE items USING vec0(embedding float[{dim}])")
    start = time.perf_counter()
    with db:
        for lo in range(0, n, 10_000):
            chunk = matrix[lo:lo + 10_000]
            db.executemany("INSERT INTO items(rowid, embedding) VALUES (?, ?)",
                           ((lo + i + 1, chunk[i].tobytes()) for i in range(len(chunk))))
    insert_s = time.perf_counter() - start
    del matrix  # the table lives in SQLite now; keep the peer's RSS its own

    def search(q):
        return db.execute("SELECT rowid, distance FROM items WHERE embedding MATCH ? AND k = ?",
                          (q.tobytes(), k)).fetchall()
    ms = timed(search, queries)
    version = db.execute("SELECT vec_version()").fetchone()[0]
    db.close()
    os.remove(path)
    return {"engine": "sqlite-vec", "ms": ms, "insert_s": insert_s, "version": version}


def main():
    engine, vectors, queries_path, count, k, workdir = sys.argv[1:7]
    count, k = int(count), int(k)
    matrix = read_aqvf(vectors)
    queries = [q.copy() for q in read_aqvf(queries_path)[:count]]
    if engine == "numpy":
        result = bench_numpy(matrix, queries, k)
    else:
        result = bench_sqlite_vec(matrix, queries, k, workdir)
    result.update(n=matrix.shape[0] if engine == "numpy" else int(os.path.getsize(vectors) - 16) // 4 // len(queries[0]),
                  dim=len(queries[0]), queries=len(queries), peak_rss_mb=peak_rss_mb())
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
