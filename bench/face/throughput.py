"""Verifications per second: decode + detect + encode + compare one photo against a stored template.

Measures the engine path (``load_image`` -> ``encode_single`` -> ``distance``) and the bare face_recognition path
(``load_image_file`` -> ``face_encodings`` with its defaults -> ``face_distance``) with 1 and 2 worker processes,
and the engine path with 2 threads in one process (does dlib release the GIL? the numbers say how much threads help).

    .venv/bin/python bench/face/throughput.py --faces tests/faces --photos obama_1.jpg biden_1.jpg
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import DEFAULT_FACES

_STATE: dict[str, object] = {}


def _init(path: str, template: bytes) -> None:
    """Per worker: load the models and remember the photo, then warm up once (first dlib call is slower)."""
    from backend.faceauth.engine import recognition

    _STATE["path"] = path
    _STATE["data"] = Path(path).read_bytes()
    _STATE["template"] = recognition.vector_from_bytes(template)
    engine_verify(0)
    bare_verify(0)


def engine_verify(_: int) -> float:
    from backend.faceauth.engine import encode_single, load_image, recognition

    encoding = encode_single(load_image(_STATE["data"]))  # type: ignore[arg-type]
    return recognition.distance(_STATE["template"], encoding)  # type: ignore[arg-type]


def bare_verify(_: int) -> float:
    import face_recognition

    image = face_recognition.load_image_file(_STATE["path"])
    encoding = face_recognition.face_encodings(image)[0]
    return float(face_recognition.face_distance([_STATE["template"]], encoding)[0])


def run(path: Path, template: bytes, processes: int, func, count: int) -> float:
    context = multiprocessing.get_context("spawn")  # each worker loads its own models, like gunicorn workers
    with context.Pool(processes, initializer=_init, initargs=(str(path), template)) as pool:
        pool.map(func, range(processes), chunksize=1)  # make sure every worker is up and warm
        start = time.perf_counter()
        pool.map(func, range(count), chunksize=1)
        return count / (time.perf_counter() - start)


def run_threads(path: Path, template: bytes, threads: int, count: int) -> float:
    _init(str(path), template)
    with ThreadPoolExecutor(threads) as pool:
        start = time.perf_counter()
        list(pool.map(engine_verify, range(count)))
        return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faces", type=Path, default=DEFAULT_FACES)
    parser.add_argument("--photos", nargs="+", default=["obama_1.jpg"], help="probe photos, verified repeatedly")
    parser.add_argument("--template", default="obama_3.jpg", help="photo whose encoding is the stored template")
    parser.add_argument("--count", type=int, default=20, help="verifications per measurement")
    args = parser.parse_args()

    from backend.faceauth.engine import encode_bytes

    template = encode_bytes((args.faces / args.template).read_bytes()).to_bytes()
    print(f"# Face verification throughput -- {os.cpu_count()} CPUs, {args.count} verifications per cell")
    print(f"{'photo':20s} {'size':>10s} {'path':8s} {'1 proc/s':>9s} {'2 proc/s':>9s} {'2 thr/s':>8s} {'ms/verif':>9s}")
    for name in args.photos:
        path = args.faces / name
        from PIL import Image

        with Image.open(path) as im:
            size = f"{im.width}x{im.height}"
        for label, func in (("engine", engine_verify), ("bare", bare_verify)):
            one = run(path, template, 1, func, args.count)
            two = run(path, template, 2, func, args.count)
            threads = f"{run_threads(path, template, 2, args.count):8.2f}" if label == "engine" else f"{'-':>8s}"
            print(f"{name:20s} {size:>10s} {label:8s} {one:9.2f} {two:9.2f} {threads} {1000 / one:9.0f}")


if __name__ == "__main__":
    main()
