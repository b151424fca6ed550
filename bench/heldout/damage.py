"""Scan and photo damage for held-out pages, and the image files they are written to."""

from __future__ import annotations

import random
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFilter

from bench.heldout.style import Dealer

MAX_BYTES = 1_000_000
FIXED_DATE = time.gmtime(1609459200)  # 2021-01-01: same PDF bytes for the same seed
JPEG_Q = {"low": (25, 40), "mid": (45, 70), "high": (75, 90)}


def draw_scan(rng: random.Random, dealer: Dealer, output: str, n_pages: int) -> dict:
    """Returns the scan or photo parameters of one document (empty for a born-digital PDF)."""
    if output == "born-digital":
        return {}
    single = n_pages == 1
    photo = (output == "jpeg" and rng.random() < 0.45) or (output == "image-pdf"
                                                            and rng.random() < 0.1)
    paper = dealer.deal("paper", ["white", "white", "yellowed"])
    if paper == "white":
        paper_rgb = [rng.randint(246, 255)] * 3
    else:
        paper_rgb = [rng.randint(236, 248), rng.randint(224, 236), rng.randint(182, 205)]
    rotation = dealer.deal("rotation", [0, 0, 0, 0, 0, 90, 270, 180])
    q_kind = dealer.deal("jpeg_q", ["low", "mid", "high"])
    return {
        "dpi": dealer.deal("dpi", [100, 150, 200, 300],
                           {100, 150, 200} if output == "png" or photo else None),
        "raster": "chromium-screenshot" if single and rng.random() < 0.6 else "pdfium",
        "grey": dealer.deal("grey", [False] * 6 + [True]),
        "paper": paper, "paper_rgb": paper_rgb,
        "cast": ([round(rng.uniform(0.93, 1.06), 3) for _ in range(3)]
                 if rng.random() < 0.3 else None),
        "gamma": round(rng.uniform(0.85, 1.2), 3),
        "blur_sigma": round(rng.uniform(0.8, 1.6), 2) if rng.random() < 0.3 else
        round(rng.uniform(0.0, 0.5), 2),
        "noise_sigma": (round(rng.uniform(3, 9), 1) if rng.random() < 0.35 and output != "png"
                        else 0.0),
        "dust": rng.randint(0, 250),
        "skew_deg": [round(rng.choice([-1, 1]) * rng.uniform(0.4, 2.5), 2)
                     if rng.random() < 0.45 else 0.0 for _ in range(n_pages)],
        "rotation_cw": rotation,
        "rotated_pages": (list(range(1, n_pages + 1)) if rotation and (single or rng.random()
                                                                      < 0.4)
                          else [rng.randint(1, n_pages)] if rotation else []),
        "photo": photo,
        "photo_params": {
            "jitter": round(rng.uniform(0.02, 0.08), 3), "shade": round(rng.uniform(0.15, 0.4), 2),
            "shade_angle": rng.randrange(360), "desk": rng.choice([[120, 98, 76], [58, 60, 66],
                                                                   [196, 194, 188]]),
            "long_side": rng.randint(1700, 2500), "warm": round(rng.uniform(1.0, 1.08), 3),
        } if photo else None,
        "jpeg_quality_kind": q_kind,
        "jpeg_quality": rng.randint(*JPEG_Q[q_kind]),
        "tiff_compression": rng.choice(["tiff_jpeg", "tiff_jpeg", "tiff_lzw"]),
        "seed": rng.randrange(2**31),
    }


def _scan(img: Image.Image, sc: dict, page: int, gen: np.random.Generator) -> Image.Image:
    if sc["blur_sigma"] > 0:
        img = img.filter(ImageFilter.GaussianBlur(sc["blur_sigma"] * sc["dpi"] / 150))
    a = np.asarray(img, dtype=np.float32) / 255.0
    a = a ** sc["gamma"]
    a = a * (np.array(sc["paper_rgb"], dtype=np.float32) / 255.0)
    if sc["cast"]:
        a = a * np.array(sc["cast"], dtype=np.float32)
    fill = tuple(int(v) for v in np.clip(a[2, 2] * 255, 0, 255))
    img = Image.fromarray(np.clip(a * 255, 0, 255).astype(np.uint8))
    skew = sc["skew_deg"][page - 1]
    if skew:
        img = img.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=fill)
    return img


def _photo(img: Image.Image, pp: dict, gen: np.random.Generator) -> Image.Image:
    a = np.asarray(img, dtype=np.float32)
    h, w = a.shape[:2]
    ch, cw = int(h * 1.18), int(w * 1.18)
    canvas = np.empty((ch, cw, 3), np.float32)
    canvas[:] = np.array(pp["desk"], np.float32)
    canvas += gen.normal(0, 6, (ch, cw, 1)).astype(np.float32)
    ox, oy = (cw - w) / 2, (ch - h) / 2
    j = pp["jitter"]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[ox + gen.uniform(-j, j) * w, oy + gen.uniform(-j, j) * h] for _ in range(4)])
    dst += src
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(a, matrix, (cw, ch), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), matrix, (cw, ch))[..., None]
    out = warped * mask + canvas * (1 - mask)
    yy, xx = np.mgrid[0:ch, 0:cw].astype(np.float32)
    t = np.deg2rad(pp["shade_angle"])
    ramp = (xx / cw - 0.5) * np.cos(t) + (yy / ch - 0.5) * np.sin(t)
    radial = ((xx / cw - 0.5) ** 2 + (yy / ch - 0.5) ** 2) * 1.2
    light = 1.0 - pp["shade"] * (ramp + 0.5) - 0.25 * radial
    out = out * light[..., None] * np.array([pp["warm"], 1.0, 2 - pp["warm"]], np.float32)
    out += gen.normal(0, 3.5, out.shape).astype(np.float32)
    img = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))
    scale = pp["long_side"] / max(img.size)
    img = img.resize((round(img.width * scale), round(img.height * scale)),
                     Image.Resampling.LANCZOS)
    return img.filter(ImageFilter.GaussianBlur(0.7))


def _noise(img: Image.Image, sc: dict, gen: np.random.Generator) -> Image.Image:
    a = np.asarray(img, dtype=np.float32)
    if sc["noise_sigma"]:
        a = a + gen.normal(0, sc["noise_sigma"], a.shape[:2] + (1,)).astype(np.float32)
    h, w = a.shape[:2]
    for _ in range(sc["dust"]):
        y, x = int(gen.integers(0, h - 3)), int(gen.integers(0, w - 3))
        r = int(gen.integers(1, 3))
        a[y:y + r, x:x + r] *= float(gen.uniform(0.2, 0.7))
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def damage_pages(pages: list[Image.Image], sc: dict) -> list[Image.Image]:
    """Returns the pages as scanned (or photographed): paper, cast, blur, skew, noise, turns."""
    gen = np.random.default_rng(sc["seed"])
    out = []
    for k, img in enumerate(pages, start=1):
        img = _scan(img, sc, k, gen)
        if sc["photo"]:
            img = _photo(img, sc["photo_params"], gen)
        img = _noise(img, sc, gen)
        if sc["grey"]:
            img = img.convert("L")
        if k in sc["rotated_pages"]:
            img = img.rotate(-sc["rotation_cw"], expand=True)
        out.append(img)
    return out


def _save(pages: list[Image.Image], path: Path, output: str, q: int, dpi: int, comp: str) -> None:
    opts = {"dpi": (dpi, dpi)}
    if output == "image-pdf":
        pages[0].save(path, "PDF", save_all=True, append_images=pages[1:], resolution=dpi,
                      quality=q, creationDate=FIXED_DATE, modDate=FIXED_DATE)
    elif output == "tiff":
        extra = {"quality": q} if comp == "tiff_jpeg" else {}
        pages[0].save(path, "TIFF", save_all=True, append_images=pages[1:], compression=comp,
                      **opts, **extra)
    elif output == "png":
        pages[0].save(path, "PNG", optimize=True, **opts)
    else:
        pages[0].save(path, "JPEG", quality=q, **opts)


def write_images(pages: list[Image.Image], path: Path, output: str, sc: dict) -> dict:
    """Writes the pages in the output format, lowering quality until the file is ≤ 1 MB."""
    q, comp, dpi = sc["jpeg_quality"], sc["tiff_compression"], sc["dpi"]
    scale = 1.0
    quantised = False
    for _ in range(12):
        _save(pages, path, output, q, round(dpi * scale), comp)
        if path.stat().st_size <= MAX_BYTES:
            break
        if output == "tiff" and comp != "tiff_jpeg":
            comp = "tiff_jpeg"
        elif output == "png" and not quantised:
            pages = [p.quantize(256, dither=Image.Dither.NONE) if p.mode == "RGB" else p
                     for p in pages]
            quantised = True
        elif output != "png" and q > 30:
            q = max(25, q - 12)
        else:
            scale *= 0.85
            pages = [p.resize((round(p.width * 0.85), round(p.height * 0.85)),
                              Image.Resampling.LANCZOS) for p in pages]
    return {"jpeg_quality": q if output in ("image-pdf", "jpeg") or comp == "tiff_jpeg" else None,
            "tiff_compression": comp if output == "tiff" else None,
            "dpi": round(dpi * scale), "png_quantised": quantised,
            "size_px": [[p.width, p.height] for p in pages]}
