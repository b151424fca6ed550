"""How much of a page's text its reading left out, from the ink alone: when tesseract's one
threshold for the whole page (Otsu) lies between a dark band and the paper, grey text on a tinted
panel or a shaded photo falls on the paper's side and is never read (a photographed page: 164 of
~1,000 words; a blurred page of grey panels: 49 words). Such a page is read again with a
threshold set locally (`LOCAL_THRESHOLD`), and that reading kept when it holds clearly more."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from extractors.pageimage import opencv
from models.records import Line

LOCAL_VERSION = 1  # bump when the re-reading of a page whose text went unread changes
LOCAL_THRESHOLD = "-c thresholding_method=1"  # tesseract's adaptive Otsu (Leptonica), per tile
UNREAD_SHARE = 0.25  # a reading that leaves this share of the letter-sized ink out is read again
LOCAL_GAIN = 1.3  # the local reading is kept when it holds this much more confident text
WINDOW_MM = 4.0  # the neighbourhood a pixel is judged ink against (a few letters wide)
INK_CONTRAST = 12  # grey levels under that neighbourhood's mean: ink
LETTER_MM = (1.2, 5.0)  # height of what counts as a letter (not a dot, a rule or a picture) ...
LETTER_WIDTH_MM = (0.3, 8.0)  # ... and its width
WORD_MARGIN_PX = 2  # a letter counts as read when its centre lies this near a word's box
WORK_DPI = 150  # the page is judged reduced to about this resolution


def unread_share(gray: Image.Image, dpi: int, lines: Sequence[Line]) -> float:
    """The share of the page's letter-sized blobs of ink (judged against their surroundings, so
    grey text on a grey panel counts) whose centre lies in no word tesseract read; 0.0 for a
    page without such ink."""
    cv2 = opencv()
    factor = max(1, dpi // WORK_DPI)  # judged at about WORK_DPI: a quarter of the cost at 300
    arr = np.asarray(gray.reduce(factor) if factor > 1 else gray, dtype=np.uint8)
    px_mm = dpi / factor / 25.4
    window = max(3, round(WINDOW_MM * px_mm)) | 1
    ink = cv2.adaptiveThreshold(arr, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                window, INK_CONTRAST)
    n, _labels, stats, centres = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h = stats[1:n, 2], stats[1:n, 3]
    letters = ((h >= LETTER_MM[0] * px_mm) & (h <= LETTER_MM[1] * px_mm)
               & (w >= LETTER_WIDTH_MM[0] * px_mm) & (w <= LETTER_WIDTH_MM[1] * px_mm))
    centres = centres[1:n][letters]
    if not len(centres):
        return 0.0
    read = np.zeros(arr.shape, dtype=bool)
    m = WORD_MARGIN_PX
    for ln in lines:
        for word in ln.words:
            if word.bbox is not None:
                x0, y0, x1, y1 = (int(v / factor) for v in word.bbox)
                read[max(0, y0 - m):max(0, y1 + m), max(0, x0 - m):max(0, x1 + m)] = True
    ys = np.clip(centres[:, 1].astype(int), 0, arr.shape[0] - 1)
    xs = np.clip(centres[:, 0].astype(int), 0, arr.shape[1] - 1)
    return round(1.0 - float(read[ys, xs].mean()), 3)
