"""One reader per input format behind one small interface: a report file becomes a text
rendering of lines, with the page of each line where the format has pages. Extraction never
knows which format it reads; it reads the rendering, and a case cites the rendering, written
beside the original, so every quote stays checkable on its line.

- text (.txt, .md, anything UTF-8): the lines as they are;
- a saved web page: the main content only (never navigation, banners, headers or footers),
  each heading, paragraph and list item ("- " before it, as in Markdown) one line; parsed by
  selectolax's lexbor parser, not by patterns;
- a PDF with a text layer: each page's text by pdfium, visual lines joined back into
  paragraphs, page furniture (running headers and footers, page numbers) left out, and a
  page mark line (`=== page N ===`) before each page, so a line's page can be checked.

Bad files are refused with the reason: empty, another kind of file whatever its suffix,
not UTF-8, a PDF without a text layer (scanned), an encrypted or corrupt PDF.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from engine.base.errors import LoadError, Problem
from engine.model.case import PAGE_MARK  # noqa: F401  (the mark pdf_text writes)

MAX_TEXT_BYTES = 16 * 1024 * 1024
MAX_PDF_BYTES = 64 * 1024 * 1024
_OTHER_KINDS = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (a Word or OpenDocument file?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%!PS", "a PostScript file"),
)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype html|<html|<head|<body)", re.IGNORECASE | re.DOTALL)
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
    "dialog",
    "select",
    "input",
)
# containers whose id or class says they are furniture, not content
_FURNITURE = re.compile(
    r"cookie|consent|banner|breadcrumb|skip[-_]?link|share|social|newsletter|menu|masthead|"
    r"site[-_]?(header|footer|nav)|feedback[-_]?(form|survey)",
    re.IGNORECASE,
)
_BLOCKS = "h1,h2,h3,h4,h5,h6,p,li,dt,dd,blockquote,td,th,figcaption,pre,caption,summary"
_PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.IGNORECASE)
# An HTML5 parser keeps a stack of open elements and scans it for most tags, so a page nested
# n deep costs n squared to parse (50,000 nested blocks: 7 s). Report pages nest a few dozen
# deep; a browser stops nesting at 512. A page deeper than this is refused before parsing.
MAX_NESTING = 512
_TAG = re.compile(r"<!--|-->|<(/?)([A-Za-z][A-Za-z0-9:-]*)(?=[\s/>])[^<>]*?(/?)>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr keygen".split())
# elements whose end tag may be left out (the parser closes them), and raw text whose content is not markup
_SELF_CLOSING = frozenset("p li dt dd option optgroup tr td th thead tbody tfoot rb rt rp colgroup caption".split())
_RAW = frozenset("script style textarea title xmp".split())


@dataclass(frozen=True)
class Rendering:
    """A report as lines of text; `kind` is text, html or pdf. For a PDF the lines carry page
    marks, and `rendered` says the rendering differs from the original file's bytes."""

    kind: str
    text: str

    @property
    def rendered(self) -> bool:
        return self.kind != "text"


def _refuse(path: Path, message: str) -> LoadError:
    return LoadError(message, [Problem(str(path), None, None, "", message)])


def sniff(path: Path, head: bytes) -> str:
    """The kind of a file by its content, whatever its suffix."""
    if not head.strip():
        raise _refuse(path, "empty file: nothing to read")
    if head.startswith(b"%PDF-"):
        return "pdf"
    for magic, what in _OTHER_KINDS:
        if head.startswith(magic):
            raise _refuse(path, f"not a report but {what}: give a text file, a saved web page or a PDF")
    if _HTML_START.match(head) or (path.suffix.lower() in (".html", ".htm") and b"<" in head):
        return "html"
    return "text"


def read_report(path: Path) -> Rendering:
    """The rendering of any supported report file (see the module's doc)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as exc:
        raise _refuse(path, f"cannot read file: {exc.strerror or exc}") from None
    kind = sniff(path, head)
    limit = MAX_PDF_BYTES if kind == "pdf" else MAX_TEXT_BYTES
    if size > limit:
        raise _refuse(path, f"file is {size:,} bytes; the limit for {kind} is {limit:,} bytes")
    if kind == "pdf":
        return Rendering("pdf", pdf_text(path))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        if kind == "html":  # a saved page in another encoding: decoded as its <meta charset> declares
            return Rendering("html", html_text(raw.decode(_declared_charset(raw), errors="replace"), path))
        line = raw[: exc.start].count(b"\n") + 1
        raise _refuse(
            path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}), nor a web page or PDF"
        ) from None
    if kind == "html":
        return Rendering("html", html_text(text, path))
    return Rendering("text", text)


def _declared_charset(raw: bytes) -> str:
    """The encoding a page declares in its head (cp1252, the web's usual default, if none or unknown)."""
    import codecs

    m = re.search(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", raw[:4096], re.IGNORECASE)
    name = m.group(1).decode("ascii") if m else "cp1252"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "cp1252"


def nesting(markup: str) -> tuple[int, int]:
    """How deep a page's elements nest, and the line where it is deepest: one pass over the
    tags, in time linear in the page (comments and script or style content skipped)."""
    depth = deepest = where = 0
    skip: str | None = None  # inside a comment ("--") or raw text ("script" ...): what ends it
    for m in _TAG.finditer(markup):
        token, close, tag = m.group(0), m.group(1), (m.group(2) or "").lower()
        if skip is not None:
            if (skip == "--" and token == "-->") or (close and tag == skip):
                skip = None
            continue
        if token == "<!--":
            skip = "--"
            continue
        if token == "-->":
            continue
        if tag in _VOID or tag in _SELF_CLOSING:
            continue
        if close:
            depth = max(0, depth - 1)
        elif not m.group(3):
            if tag in _RAW:
                skip = tag
                continue
            depth += 1
            if depth > deepest:
                deepest, where = depth, m.start()
    return deepest, markup.count("\n", 0, where) + 1


def _blocks(root, blocks: set[str]):
    """The outermost block elements under `root`, in document order: one walk of the tree
    that does not descend into a block (its text is read whole), so linear in the page."""
    stack = [root.iter(include_text=False)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
        elif node.tag in blocks:
            yield node
        else:
            stack.append(node.iter(include_text=False))


def html_text(markup: str | bytes, path: Path | None = None) -> str:
    """The main content of a web page, one heading, paragraph or list item a line; a page
    nested deeper than MAX_NESTING is refused (see there)."""
    from selectolax.lexbor import (
        LexborHTMLParser as HTMLParser,  # imported here: derive never needs it
    )

    text = markup if isinstance(markup, str) else markup.decode("utf-8", errors="replace")
    deepest, at = nesting(text)
    if deepest > MAX_NESTING:
        raise _refuse(
            path or Path("(page)"),
            f"this page nests its elements {deepest:,} deep (line {at}); a report page nests"
            f" a few dozen deep and pages deeper than {MAX_NESTING} are not read",
        )
    tree = HTMLParser(text)
    for tag in _DROP_TAGS:
        for node in tree.css(tag):
            node.decompose()
    for node in tree.css("[id], [class]"):
        label = f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"
        if _FURNITURE.search(label) and node.tag not in ("main", "article", "body", "html"):
            node.decompose()
    root = tree.css_first("main") or tree.css_first("[role=main]") or tree.css_first("article") or tree.body
    if root is None:
        return ""
    lines = []
    for node in _blocks(root, set(_BLOCKS.split(","))):  # a block within a block is read with the outer one
        line = " ".join(node.text(deep=True, separator=" ").split())
        if line:
            lines.append(f"- {line}" if node.tag == "li" else line)  # a list item is not a heading
    return "\n".join(lines) + "\n"


def _runs_full(lines: list[tuple[float, str]]) -> bool:
    """Does the page's last line run the full width (its paragraph goes on over the break)?"""
    widths = sorted(len(text) for _, text in lines)
    return bool(lines) and len(lines[-1][1]) >= widths[int(len(widths) * 0.9)] * 0.8


def _paragraphs(lines: list[tuple[float, str]]) -> list[str]:
    """Visual lines (top, text) back into paragraphs. Within a paragraph the gap from one
    line's top to the next is the line pitch and every line but the last runs the full width;
    a wider gap, or a short line before (a heading, a paragraph's last line), ends one."""
    pitches = sorted(a - b for (a, _), (b, _) in zip(lines, lines[1:], strict=False) if a - b > 0)
    pitch = pitches[len(pitches) // 2] if pitches else 0.0
    widths = sorted(len(text) for _, text in lines)
    full = widths[int(len(widths) * 0.9)] if widths else 0
    out: list[str] = []
    for i, (top, text) in enumerate(lines):
        before = lines[i - 1] if i else None
        if out and before and 0 < before[0] - top <= pitch * 1.45 and len(before[1]) >= full * 0.8:
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
    return out


def _fold(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _furniture(pages: list[list[str]]) -> set[str]:
    """Lines that stand at the top or foot of most pages (digits folded): running headers and
    footers, which are the page's frame, not its text."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        edge = {_fold(ln) for ln in lines[:3] + lines[-3:] if ln.strip()}
        seen.update(edge)
    return {k for k, n in seen.items() if n >= max(3, len(pages) // 2)}


def _page_lines(textpage) -> list[tuple[float, str]]:
    """A page's visual lines with the top of each line's first character."""
    text = textpage.get_text_range()
    out, pos = [], 0
    for line in text.split("\r\n"):
        clean = " ".join(line.split())
        if clean:
            first = pos + (len(line) - len(line.lstrip()))
            out.append((textpage.get_charbox(first)[3], clean))
        pos += len(line) + 2
    return out


def pdf_text(path: Path) -> str:
    """The text layer of a PDF, page by page, as a rendering with page marks."""
    import pypdfium2 as pdfium  # imported here: derive never needs it

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        why = str(exc)
        if "password" in why.lower():
            raise _refuse(path, "encrypted PDF: it needs a password; save an unprotected copy") from None
        raise _refuse(path, f"corrupt or unreadable PDF ({why})") from None
    try:
        pages = [_page_lines(pdf[i].get_textpage()) for i in range(len(pdf))]
    finally:
        pdf.close()
    if sum(len(text) for lines in pages for _, text in lines) < 20 * max(1, len(pages)):
        raise _refuse(path, "this PDF has no text layer (a scanned document?): run it through OCR first")
    frame = _furniture([[text for _, text in lines] for lines in pages])
    out: list[str] = []
    cut = False  # the previous page's last paragraph ran on to the foot of the page
    for number, lines in enumerate(pages, start=1):
        kept = [(top, text) for top, text in lines if _fold(text) not in frame and not _PAGE_NUMBER.match(text)]
        paragraphs = _paragraphs(kept)
        if paragraphs and out and _continues(out[-1], paragraphs[0], cut):
            out[-1] = (
                f"{out[-1]} {paragraphs.pop(0)}"  # a paragraph runs on over the page break: it is cited where it starts
            )
        out.append(f"=== page {number} ===")
        out.extend(paragraphs)
        cut = _runs_full(kept)
    return "\n".join(out) + "\n"


def _continues(last: str, first: str, cut: bool) -> bool:
    """Does a page's first line carry on the previous page's last paragraph?"""
    if PAGE_MARK.match(last) or last.rstrip().endswith((".", "!", "?", ":", "”", '"')):
        return False
    return cut or first[:1].islower() or first[:1] in ",;("
