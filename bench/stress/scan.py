"""The scanner and the phone: rasterises a drawn PDF, damages each page, writes the file type."""
from __future__ import annotations

import io
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

MAX_BYTES = 1_000_000


def rasterise(pdf: bytes, dpi: int) -> list[np.ndarray]:
    """Each page as an RGB uint8 array at dpi (pdfium, anti-aliased)."""
    doc = pdfium.PdfDocument(pdf)
    pages = []
    for i in range(len(doc)):
        bitmap = doc[i].render(scale=dpi / 72)
        pages.append(np.asarray(bitmap.to_pil().convert("RGB")).copy())
    doc.close()
    return pages


def _smooth_field(rng: np.random.Generator, h: int, w: int, amp: float) -> np.ndarray:
    grid = rng.normal(0, amp, (6, 5)).astype(np.float32)
    return 1.0 + cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def _photo(img: np.ndarray, p: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    """A phone photo: page on a desk, perspective, light falling off from one side."""
    h, w = img.shape[:2]
    pad = int(0.06 * max(h, w))
    out_w, out_h = w + 2 * pad, h + 2 * pad
    f = p["photo_corner_frac"]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(-f, f, (4, 2)) * np.array([w, h])
    dst = (src + pad + jitter).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    desk = np.array(p["desk_rgb"], dtype=np.float32) / 255
    warped = cv2.warpPerspective(img, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT,
                                 borderValue=tuple(float(v) for v in desk))
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    lx, ly = rng.uniform(0, out_w), rng.uniform(0, out_h)
    dist = np.sqrt((xx - lx) ** 2 + (yy - ly) ** 2) / np.hypot(out_w, out_h)
    light = 1.0 - p["photo_light"] * dist ** 1.5 * 1.8
    return warped * np.clip(light, 0.45, 1.0)[..., None]


def damage(page: np.ndarray, p: dict[str, Any], seed: list[int]) -> Image.Image:
    """Paper, photo or skew, blur, cast, noise, quarter turn, grey: one scanned page."""
    rng = np.random.default_rng(seed)
    img = page.astype(np.float32) / 255
    paper = np.array(p["paper_rgb"], dtype=np.float32) / 255
    img = img * paper * _smooth_field(rng, *img.shape[:2], 0.012)[..., None]
    if p["photo"]:
        img = _photo(img, p, rng)
    elif p["skew_deg"]:
        h, w = img.shape[:2]
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), p["skew_deg"], 1.0)
        cos, sin = abs(rot[0, 0]), abs(rot[0, 1])
        nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
        rot[0, 2] += nw / 2 - w / 2
        rot[1, 2] += nh / 2 - h / 2
        lid = tuple(float(v) for v in paper * 0.96)
        img = cv2.warpAffine(img, rot, (nw, nh), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=lid)
    if p["blur_sigma"]:
        img = cv2.GaussianBlur(img, (0, 0), p["blur_sigma"])
    gamma = np.array(p["cast_gamma"], dtype=np.float32)
    if np.any(gamma != 1.0):
        img = np.power(np.clip(img, 0, 1), gamma)
    if p["noise_sigma"]:
        img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(
            p["noise_sigma"] / 255)
    arr = (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
    turn = p["quarter_turn"]
    if turn:
        arr = np.ascontiguousarray(np.rot90(arr, k=-(turn // 90)))  # clockwise
    im = Image.fromarray(arr, "RGB")
    return im.convert("L") if p["greyscale"] else im


def _jpeg(im: Image.Image, quality: int, dpi: int | None) -> bytes:
    buf = io.BytesIO()
    kw: dict[str, Any] = {"quality": quality}
    if dpi:
        kw["dpi"] = (dpi, dpi)
    im.save(buf, "JPEG", **kw)
    return buf.getvalue()


def encode(images: list[Image.Image], kind: str, p: dict[str, Any]) -> bytes:
    """The file's bytes for the output type, with the page's dpi (photos carry none)."""
    dpi = None if p["photo"] else p["dpi"]
    q = p["jpeg_quality"]
    if kind == "jpeg":
        return _jpeg(images[0], q, dpi)
    if kind == "png":
        buf = io.BytesIO()
        im = images[0].quantize(256, dither=Image.Dither.NONE) if p.get("png_palette") \
            else images[0]
        im.save(buf, "PNG", dpi=(dpi, dpi) if dpi else None, optimize=False)
        return buf.getvalue()
    if kind == "tiff":
        buf = io.BytesIO()
        comp = p["tiff_compression"]
        frames = [im.convert("YCbCr") if comp == "jpeg" and im.mode == "RGB" else im
                  for im in images]
        kw: dict[str, Any] = {"compression": comp, "dpi": (dpi or 150, dpi or 150)}
        if comp == "jpeg":
            kw["quality"] = q
        frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], **kw)
        return buf.getvalue()
    if kind == "image-pdf":
        return _image_pdf(images, q, dpi or 150)
    raise ValueError(f"unknown output type {kind}")


def _image_pdf(images: list[Image.Image], quality: int, dpi: int) -> bytes:
    """An image-only PDF: each page one JPEG at its size in inches (reportlab, invariant)."""
    rl_config.useA85 = 0
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    for im in images:  # an in-memory JPEG is embedded as it is (DCTDecode), named by its bytes
        w, h = im.width / dpi * 72, im.height / dpi * 72
        c.setPageSize((w, h))
        c.drawImage(ImageReader(io.BytesIO(_jpeg(im, quality, dpi))), 0, 0, width=w, height=h)
        c.showPage()
    c.save()
    return buf.getvalue()


def scan(pdf: bytes, kind: str, p: dict[str, Any], seed: list[int]) -> bytes:
    """Damaged pages encoded as kind, within 1 MB: quality, noise, then dpi give way (recorded)."""
    rasters: dict[int, list[np.ndarray]] = {}
    key = None
    images: list[Image.Image] = []
    for _ in range(12):
        if p["dpi"] not in rasters:
            rasters[p["dpi"]] = rasterise(pdf, p["dpi"])
        if key != (p["dpi"], p["noise_sigma"]):
            key = (p["dpi"], p["noise_sigma"])
            images = [damage(pg, p, [*seed, i]) for i, pg in enumerate(rasters[p["dpi"]])]
        data = encode(images, kind, p)
        if len(data) <= MAX_BYTES:
            return data
        _give_way(kind, p)
    raise RuntimeError("could not fit the document in 1 MB")


def _give_way(kind: str, p: dict[str, Any]) -> None:
    p.setdefault("budget_steps", [])
    if kind == "tiff" and p["tiff_compression"] != "jpeg":
        p["tiff_compression"] = "jpeg"
        p["budget_steps"].append("tiff-jpeg")
    elif kind == "png" and p["noise_sigma"]:
        p["noise_sigma"] = 0.0
        p["budget_steps"].append("noise-0")
    elif kind == "png" and not p.get("png_palette"):
        p["png_palette"] = True
        p["budget_steps"].append("png-palette")
    elif kind in ("jpeg", "tiff", "image-pdf") and p["jpeg_quality"] > 40:
        p["jpeg_quality"] = max(25, p["jpeg_quality"] - 15)
        p["budget_steps"].append(f"quality-{p['jpeg_quality']}")
    elif p["noise_sigma"] > 2:
        p["noise_sigma"] = round(p["noise_sigma"] / 2, 1)
        p["budget_steps"].append(f"noise-{p['noise_sigma']}")
    else:
        lower = {300: 200, 200: 150, 150: 100}
        p["dpi"] = lower.get(p["dpi"], p["dpi"])
        p["budget_steps"].append(f"dpi-{p['dpi']}")
