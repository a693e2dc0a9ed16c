"""Accuracy and time per verification against the working size (long side) and the HOG upsample setting.

For each photo of MANIFEST.csv (edge files excluded) the bench also builds three phone-like variants in memory:
upscaled to a 4000-px long side, the pixels rotated as a phone stores them with EXIF Orientation 6, 8 or 3 (so
the loader must honour EXIF to see an upright face), and JPEG-recompressed at quality 60, 68 or 75. Then, per
working size and detection setting:

* accuracy at the engine's MATCH_THRESHOLD over ALL pairs of images of distinct source photos (genuine = same
  person, impostor = different people; an image and its own variants are never paired, that would be the same
  picture), plus the same for "stored template made at 1600 px from the original, probe at this size" -- the
  case of residents enrolled before the working size changed;
* detection failures (NoFace / MultipleFaces), the worst genuine and the closest impostor distance;
* time per verification of a 4000-px phone photo (decode + resize + detect + encode) through our path
  (``load_image`` + ``encode_single``), and the bare library (``face_recognition.face_locations`` +
  ``face_encodings``) on the same already-resized pixels, for the API/library ratio.

    .venv/bin/python bench/face/worksize.py --faces tests/faces

Timings are the median of ``--repeat`` runs per image (CPU time of this process, which other processes sharing the
machine do not inflate; wall time is printed too).
"""

from __future__ import annotations

import argparse
import io
import itertools
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from common import DEFAULT_FACES, Photo, read_manifest
from PIL import Image, ImageOps

from backend.faceauth.engine import _backend, recognition
from backend.faceauth.engine.errors import FaceEngineError
from backend.faceauth.engine.images import load_image

SIZES = (480, 640, 800, 1024, 1600)
SETTINGS = {"schedule": recognition.UPSAMPLE_SCHEDULE, "up0": (0,), "up1": (1,)}
# (EXIF orientation, JPEG quality) of the three phone variants of every photo.
PHONE_VARIANTS = ((6, 60), (8, 68), (3, 75))
# Pixels as stored for each orientation: exif_transpose applies the inverse to show them upright.
_STORE = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270, 3: Image.Transpose.ROTATE_180}


@dataclass(frozen=True)
class Sample:
    name: str  # file, or file + variant tag
    source: str  # the original file: images of the same source are never paired
    person: str
    data: bytes
    phone: bool


def phone_photo(data: bytes, orientation: int, quality: int, long_side: int = 4000) -> bytes:
    """A phone-like JPEG of ``data``: upscaled to ``long_side``, pixels stored rotated, EXIF Orientation set."""
    with Image.open(io.BytesIO(data)) as im:
        upright = ImageOps.exif_transpose(im).convert("RGB")
    scale = long_side / max(upright.size)
    upright = upright.resize((round(upright.width * scale), round(upright.height * scale)), Image.Resampling.BICUBIC)
    stored = upright.transpose(_STORE[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def build_samples(photos: list[Photo]) -> list[Sample]:
    samples = []
    for photo in photos:
        data = photo.path.read_bytes()
        samples.append(Sample(photo.file, photo.file, photo.person, data, False))
        for orientation, quality in PHONE_VARIANTS:
            tag = f"{photo.file}@4000px/o{orientation}/q{quality}"
            samples.append(Sample(tag, photo.file, photo.person, phone_photo(data, orientation, quality), True))
    return samples


def _cpu(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.process_time() - cpu, time.perf_counter() - wall


def ours(data: bytes, side: int, schedule: tuple[int, ...]) -> tuple[object, float, float]:
    """Our path; returns (Encoding or error, cpu s, wall s)."""

    def run():
        try:
            image = load_image(data, max_side=side)
            return _encode(image, schedule)
        except FaceEngineError as exc:
            return exc

    return _cpu(run)


def _encode(image, schedule: tuple[int, ...]):
    saved = recognition.UPSAMPLE_SCHEDULE
    recognition.UPSAMPLE_SCHEDULE = schedule
    try:
        return recognition.encode_single(image)
    finally:
        recognition.UPSAMPLE_SCHEDULE = saved


def bare(image, schedule: tuple[int, ...]) -> tuple[object, float, float]:
    """The library alone on already-decoded pixels: the same upsample schedule, locations + one encoding."""
    fr = _backend.api()

    def run():
        for times in schedule:
            boxes = fr.face_locations(image, times, model="hog")
            if boxes:
                return fr.face_encodings(image, boxes[:1], num_jitters=1, model="small")[0]
        return None

    return _cpu(run)


def pairs(samples: list[Sample], enc: dict[str, object], templates: dict[str, object] | None = None):
    """Genuine and impostor distances over pairs of distinct sources. ``templates``: side A from these."""
    genuine, impostor = [], []
    combos = itertools.permutations(samples, 2) if templates else itertools.combinations(samples, 2)
    for a, b in combos:
        if a.source == b.source:
            continue
        if templates is not None and a.phone:
            continue  # templates are made from the original photos only
        ea = (templates or enc).get(a.name)
        eb = enc.get(b.name)
        if not isinstance(ea, recognition.Encoding) or not isinstance(eb, recognition.Encoding):
            continue
        row = (recognition.distance(ea, eb), a.name, b.name)
        (genuine if a.person == b.person else impostor).append(row)
    return sorted(genuine), sorted(impostor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faces", type=Path, default=DEFAULT_FACES, help="folder with MANIFEST.csv")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per phone photo (median kept)")
    args = parser.parse_args()

    threshold = recognition.MATCH_THRESHOLD
    photos = [p for p in read_manifest(args.faces) if not p.is_edge and p.person]
    samples = build_samples(photos)
    phones = [s for s in samples if s.phone]
    print(
        f"# Working size x detection -- {len(photos)} photos of {len({p.person for p in photos})} people + "
        f"{len(phones)} phone variants (4000 px, EXIF 6/8/3, JPEG q60-75); threshold {threshold}"
    )
    ours(samples[0].data, 1600, (0,))  # warm-up: model loading
    # Templates as enrolled before this change: original photos at 1600 px, today's schedule.
    reference = {s.name: ours(s.data, 1600, recognition.UPSAMPLE_SCHEDULE)[0] for s in samples if not s.phone}
    rows = []
    for setting in args.settings:
        schedule = SETTINGS[setting]
        for side in sorted(args.sizes, reverse=True):
            enc: dict[str, object] = {}
            ours_cpu, ours_wall, decode_cpu, bare_cpu, api_cpu = [], [], [], [], []
            for sample in samples:
                result, cpu, wall = ours(sample.data, side, schedule)
                enc[sample.name] = result
                if not sample.phone or not isinstance(result, recognition.Encoding):
                    continue
                runs = [(cpu, wall)] + [ours(sample.data, side, schedule)[1:] for _ in range(args.repeat - 1)]
                ours_cpu.append(statistics.median(r[0] for r in runs))
                ours_wall.append(statistics.median(r[1] for r in runs))
                image, dcpu, _w = _cpu(lambda s=sample, m=side: load_image(s.data, max_side=m))
                decode_cpu.append(dcpu)
                bare_runs = [bare(image, schedule)[1] for _ in range(args.repeat)]
                api_runs = [_cpu(lambda i=image, u=schedule: _encode(i, u))[1] for _ in range(args.repeat)]
                bare_cpu.append(statistics.median(bare_runs))
                api_cpu.append(statistics.median(api_runs))
            genuine, impostor = pairs(samples, enc)
            failures = sorted(k for k, v in enc.items() if not isinstance(v, recognition.Encoding))
            refused = [(d, a, b) for d, a, b in genuine if d > threshold]
            accepted = [(d, a, b) for d, a, b in impostor if d <= threshold]
            cross = pairs(samples, enc, reference)
            rows.append(
                {
                    "setting": setting,
                    "side": side,
                    "genuine": genuine,
                    "impostor": impostor,
                    "refused": refused,
                    "accepted": accepted,
                    "failures": failures,
                    "cross": cross,
                    "ms": 1000 * statistics.fmean(ours_cpu) if ours_cpu else float("nan"),
                    "wall_ms": 1000 * statistics.fmean(ours_wall) if ours_wall else float("nan"),
                    "decode_ms": 1000 * statistics.fmean(decode_cpu) if decode_cpu else float("nan"),
                    "ratio": sum(api_cpu) / sum(bare_cpu) if bare_cpu else float("nan"),
                    "bare_ms": 1000 * statistics.fmean(bare_cpu) if bare_cpu else float("nan"),
                }
            )
            r = rows[-1]
            print(
                f"  done {setting:8s} {side:5d}px: {r['ms']:6.0f} ms/phone verification "
                f"(decode {r['decode_ms']:.0f}), ratio {r['ratio']:.2f}, refused {len(refused)}, "
                f"accepted {len(accepted)}, failures {len(failures)}",
                flush=True,
            )

    base = next((r for r in rows if r["side"] == 1600 and r["setting"] == "schedule"), rows[0])
    print(
        "\n| setting | long side | genuine accepted | impostors rejected | worst genuine | closest impostor "
        "| margin | not detected | vs 1600-px template: genuine / impostor rejected | ms per phone verification "
        "(decode) | speed-up vs 1600 | our path / library |"
    )
    print("| --- " * 12 + "|")
    for r in rows:
        g, i = r["genuine"], r["impostor"]
        worst, closest = max(d for d, *_ in g), min(d for d, *_ in i)
        cg, ci = r["cross"]
        cross = (
            f"{sum(d <= threshold for d, *_ in cg)}/{len(cg)} / {sum(d > threshold for d, *_ in ci)}/{len(ci)}"
            if cg
            else "-"
        )
        print(
            f"| {r['setting']} | {r['side']} | {len(g) - len(r['refused'])}/{len(g)} | "
            f"{len(i) - len(r['accepted'])}/{len(i)} | {worst:.3f} | {closest:.3f} | {closest - worst:+.3f} | "
            f"{len(r['failures'])} | {cross} | {r['ms']:.0f} ({r['decode_ms']:.0f}) | {base['ms'] / r['ms']:.1f}x | "
            f"{r['ratio']:.2f} |"
        )
    print("\nDetails:")
    for r in rows:
        print(f"## {r['setting']} {r['side']} px  (wall {r['wall_ms']:.0f} ms, bare library {r['bare_ms']:.0f} ms)")
        if r["failures"]:
            print("   not detected: " + ", ".join(r["failures"]))
        for d, a, b in r["refused"]:
            print(f"   genuine REFUSED {d:.3f}: {a} ~ {b}")
        for d, a, b in r["accepted"]:
            print(f"   impostor ACCEPTED {d:.3f}: {a} ~ {b}")
        print("   worst genuine:     " + ", ".join(f"{a} ~ {b} {d:.3f}" for d, a, b in r["genuine"][-3:]))
        print("   closest impostors: " + ", ".join(f"{a} ~ {b} {d:.3f}" for d, a, b in r["impostor"][:3]))
        cg, _ci = r["cross"]
        if cg:
            print("   vs 1600 template, worst genuine: " + ", ".join(f"{a} ~ {b} {d:.3f}" for d, a, b in cg[-2:]))


if __name__ == "__main__":
    main()
