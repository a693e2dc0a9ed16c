"""Verification accuracy of the face engine on the sample photos, for choosing MATCH_THRESHOLD.

Encodes every photo of MANIFEST.csv once per configuration (jitters x downscale), forms ALL same-person
(genuine) and ALL different-person (impostor) pairs among the non-edge photos, and prints the distance
distributions and the genuine-accept / false-accept rates per threshold. Edge files are reported apart.
It also measures HOG detection per upsample count, on the photos and on shrunken copies (small faces).

    .venv/bin/python bench/face/accuracy.py --faces tests/faces
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from pathlib import Path

from common import DEFAULT_FACES, Photo, read_manifest

from backend.faceauth.engine import recognition
from backend.faceauth.engine.errors import FaceEngineError
from backend.faceauth.engine.images import MAX_SIDE, load_image

THRESHOLDS = [round(0.35 + 0.05 * i, 2) for i in range(7)]


def encode_all(photos: list[Photo], max_side: int | None, jitters: int) -> tuple[dict[str, object], float]:
    """file -> Encoding or the FaceEngineError raised; plus mean seconds per photo."""
    out: dict[str, object] = {}
    start = time.perf_counter()
    for photo in photos:
        try:
            image = load_image(photo.path.read_bytes(), max_side=max_side)
            out[photo.file] = recognition.encode_single(image, num_jitters=jitters)
        except FaceEngineError as exc:
            out[photo.file] = exc
    return out, (time.perf_counter() - start) / max(1, len(photos))


def pair_distances(photos: list[Photo], enc: dict[str, object]) -> tuple[list[tuple], list[tuple]]:
    genuine, impostor = [], []
    for a, b in itertools.combinations(photos, 2):
        ea, eb = enc[a.file], enc[b.file]
        if not isinstance(ea, recognition.Encoding) or not isinstance(eb, recognition.Encoding):
            continue
        row = (recognition.distance(ea, eb), a.file, b.file)
        (genuine if a.person == b.person else impostor).append(row)
    return sorted(genuine), sorted(impostor)


def describe(values: list[float]) -> str:
    if not values:
        return "n=0"
    return (
        f"n={len(values):3d} min={min(values):.3f} median={statistics.median(values):.3f} "
        f"mean={statistics.fmean(values):.3f} max={max(values):.3f}"
    )


def rates(genuine: list[tuple], impostor: list[tuple], threshold: float) -> tuple[float, float]:
    gar = sum(d <= threshold for d, *_ in genuine) / max(1, len(genuine))
    far = sum(d <= threshold for d, *_ in impostor) / max(1, len(impostor))
    return gar, far


def detection_report(photos: list[Photo]) -> None:
    print("\n## HOG detection per upsample count (image capped at 1600 px, then also shrunk to 640 / 320 px)")
    print(
        f"{'photo':30s} {'long side':>9s} | {'up=0 faces':>10s} {'box':>5s} {'sec':>5s} | {'up=1 faces':>10s} "
        f"{'box':>5s} {'sec':>5s}"
    )
    totals = {0: 0.0, 1: 0.0}
    for side in (MAX_SIDE, 640, 320):
        for photo in photos:
            image = load_image(photo.path.read_bytes(), max_side=side)
            cells = []
            for up in (0, 1):
                start = time.perf_counter()
                boxes = recognition.detect_faces(image, upsample=up)
                took = time.perf_counter() - start
                totals[up] += took
                box = max((b[2] - b[0] for b in boxes), default=0)
                cells.append(f"{len(boxes):10d} {box:5d} {took:5.2f}")
            print(f"{photo.file:30s} {max(image.shape[:2]):9d} | {cells[0]} | {cells[1]}")
    print(f"total detector seconds: upsample=0 {totals[0]:.1f}  upsample=1 {totals[1]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faces", type=Path, default=DEFAULT_FACES, help="folder with MANIFEST.csv")
    parser.add_argument("--jitters", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--max-sides", type=int, nargs="+", default=[MAX_SIDE, 0], help="0 = no downscale")
    parser.add_argument("--no-detection", action="store_true", help="skip the upsample measurement")
    args = parser.parse_args()

    manifest = read_manifest(args.faces)
    main_set = [p for p in manifest if not p.is_edge and p.person]
    edges = [p for p in manifest if p.is_edge]
    people = sorted({p.person for p in main_set})
    print(
        f"# Face verification accuracy -- {len(main_set)} photos of {len(people)} people, engine "
        f"{recognition.MODEL_VERSION}, current MATCH_THRESHOLD={recognition.MATCH_THRESHOLD}"
    )

    # Warm-up: the first call imports face_recognition and loads the dlib models (~1 s); keep it out of timings.
    recognition.encode_single(load_image(main_set[0].path.read_bytes()))

    summary = []
    encodings: dict[tuple[int, int], dict[str, object]] = {}
    for max_side, jitters in itertools.product(args.max_sides, args.jitters):
        label = f"max_side={max_side or 'none'} jitters={jitters}"
        enc, per_photo = encode_all(manifest, max_side or None, jitters)
        encodings[(max_side, jitters)] = enc
        genuine, impostor = pair_distances(main_set, enc)
        print(f"\n## {label}  ({per_photo:.2f} s per photo: decode + detect + encode)")
        failures = {
            p.file: type(enc[p.file]).__name__ for p in main_set if not isinstance(enc[p.file], recognition.Encoding)
        }
        if failures:
            print(f"not encoded: {failures}")
        print(f"genuine  {describe([d for d, *_ in genuine])}")
        print(f"impostor {describe([d for d, *_ in impostor])}")
        print("genuine pairs:        " + ", ".join(f"{a}~{b} {d:.3f}" for d, a, b in genuine))
        print("closest impostors:    " + ", ".join(f"{a}~{b} {d:.3f}" for d, a, b in impostor[:5]))
        print(f"{'threshold':>9s} {'GAR':>7s} {'FAR':>7s}   (genuine {len(genuine)} pairs, impostor {len(impostor)})")
        for t in THRESHOLDS:
            gar, far = rates(genuine, impostor, t)
            print(f"{t:9.2f} {gar:7.1%} {far:7.1%}")
        summary.append((label, genuine, impostor))

        # Several templates: probe each photo against the best of the person's *other* photos.
        multi = []
        for probe in main_set:
            others = [enc[o.file] for o in main_set if o.person == probe.person and o.file != probe.file]
            others = [o for o in others if isinstance(o, recognition.Encoding)]
            if len(others) >= 2 and isinstance(enc[probe.file], recognition.Encoding):
                single = [recognition.distance(o, enc[probe.file]) for o in others]
                multi.append(f"{probe.file}: worst single {max(single):.3f} -> best-of-{len(others)} {min(single):.3f}")
        print("several templates:    " + "; ".join(multi))

        print("edge files (distance to each person = min over that person's photos):")
        for photo in edges:
            result = enc[photo.file]
            if not isinstance(result, recognition.Encoding):
                print(f"  {photo.file:30s} -> {type(result).__name__} ({result.reason})")
                continue
            per_person = {
                person: min(
                    recognition.distance(result, enc[p.file])
                    for p in main_set
                    if p.person == person and isinstance(enc[p.file], recognition.Encoding)
                )
                for person in people
            }
            ranked = sorted(per_person.items(), key=lambda kv: kv[1])
            print(f"  {photo.file:30s} -> encodes; " + ", ".join(f"{k} {v:.3f}" for k, v in ranked[:3]))

    # Enrol once with many jitters (one-off cost), verify with 1 (per-login cost): both orders of every pair.
    low, high = min(args.jitters), max(args.jitters)
    for max_side in args.max_sides:
        if low == high:
            break
        template, probe = encodings[(max_side, high)], encodings[(max_side, low)]
        genuine, impostor = [], []
        for a, b in itertools.permutations(main_set, 2):
            if isinstance(template[a.file], recognition.Encoding) and isinstance(probe[b.file], recognition.Encoding):
                row = (recognition.distance(template[a.file], probe[b.file]), a.file, b.file)
                (genuine if a.person == b.person else impostor).append(row)
        label = f"max_side={max_side or 'none'} enrol j={high}/probe j={low}"
        summary.append((label, sorted(genuine), sorted(impostor)))

    print("\n## Summary: GAR / FAR per threshold and configuration")
    print(f"{'configuration':40s} " + " ".join(f"{t:>13.2f}" for t in THRESHOLDS))
    for label, genuine, impostor in summary:
        cells = []
        for t in THRESHOLDS:
            gar, far = rates(genuine, impostor, t)
            cells.append(f"{gar:6.0%}/{far:<6.0%}")
        print(f"{label:40s} " + " ".join(f"{c:>13s}" for c in cells))
    gaps = [(label, max(d for d, *_ in g), min(d for d, *_ in i)) for label, g, i in summary if g and i]
    for label, worst_genuine, best_impostor in gaps:
        print(
            f"{label:40s} worst genuine {worst_genuine:.3f}  closest impostor {best_impostor:.3f}  "
            f"margin {best_impostor - worst_genuine:+.3f}"
        )

    if not args.no_detection:
        detection_report(main_set)


if __name__ == "__main__":
    main()
