"""Reading a Word document (.docx) into the importer's lines, as its author sees it.

python-docx's ``Paragraph.text`` drops runs inside tracked insertions and
``Document.paragraphs`` skips content controls, so the body's XML is walked in order:
paragraphs, tables (cell by cell, a table inside a cell too), content controls (``w:sdt``),
tracked insertions read as text and deletions left out, hyperlinks (their text and address),
soft line breaks and tabs, list paragraphs (a bullet becomes "- ", a numbered item its
number). Each paragraph is one importer line, numbered from 1 in reading order: the preview
says "paragraph 12". Word comments are collected for the preview.

A two-column table is read as label | value; a table whose first row holds labels and each
further row a record is read record by record. The file is refused, with a message, when it
is not a Word document, is encrypted or in the old .doc format, or unpacks to too much.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from lxml import etree

from .document import DocumentError, Line, Notice

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {"w": W, "r": R}

# The app's own export marks what is not an answer (exports/docx.py): only what this
# bookmark spans is read when it is there (not the cover block, not the SDG chart), and
# paragraphs in the note style are left aside.
ANSWERS_BOOKMARK = "submission_answers"
NOTE_STYLE = "Answer Note"

MAX_UNPACKED_BYTES = 60 * 1024 * 1024  # all members together
MAX_MEMBER_RATIO = 200  # unpacked / packed, beyond which a member is a zip bomb
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_HYPERLINK_FIELD = re.compile(r'HYPERLINK\s+"([^"]+)"')


def _tag(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


P, TBL, SDT, SDT_CONTENT, TR, TC = (
    _tag(n) for n in ("w:p", "w:tbl", "w:sdt", "w:sdtContent", "w:tr", "w:tc")
)
T, TAB, BR, CR, DEL, DEL_TEXT, INS, HYPERLINK = (
    _tag(n) for n in ("w:t", "w:tab", "w:br", "w:cr", "w:del", "w:delText", "w:ins", "w:hyperlink")
)
MOVE_FROM, MOVE_TO, INSTR, FLD_CHAR, FLD_SIMPLE, DRAWING, PICT = (
    _tag(n)
    for n in (
        "w:moveFrom",
        "w:moveTo",
        "w:instrText",
        "w:fldChar",
        "w:fldSimple",
        "w:drawing",
        "w:pict",
    )
)
COMMENT_START = _tag("w:commentRangeStart")
COMMENT_REFERENCE = _tag("w:commentReference")
BOOKMARK_START, BOOKMARK_END = _tag("w:bookmarkStart"), _tag("w:bookmarkEnd")


@dataclass
class WordDocument:
    """A Word file as the importer reads it."""

    lines: list[Line] = field(default_factory=list)
    comments: list[Notice] = field(default_factory=list)
    tracked_changes: bool = False


def is_word_file(data: bytes) -> bool:
    """Whether the bytes are a zip file, as every .docx is (the content decides, not the name)."""
    return data[:4] == ZIP_SIGNATURE


def is_legacy_or_encrypted(data: bytes) -> bool:
    """An OLE compound file: a .doc of Word 97-2003, or a .docx protected with a password."""
    return data[:8] == OLE_SIGNATURE


def read_word(data: bytes) -> WordDocument:
    """The document's lines, comments and whether it holds tracked changes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DocumentError(
            0, _("the file is damaged or not a Word document: save it again as .docx")
        ) from None
    with archive:
        names = set(archive.namelist())
        if "word/document.xml" not in names:
            raise DocumentError(
                0,
                _(
                    "the file is a zip archive but not a Word document (.docx): there is no "
                    "document in it"
                ),
            )
        _check_sizes(archive)
        body = _xml(archive, "word/document.xml").find("w:body", NS)
        if body is None:
            raise DocumentError(0, _("the Word document has no body: save it again as .docx"))
        styles = _styles(archive)
        reader = _Reader(
            links=_relationships(archive),
            numbering=_numbering(archive),
            list_styles={k: v for k, v in styles.items() if v in ("bullet", "decimal")},
            notes={k for k, v in styles.items() if v == "note"},
            comments=_comments(archive),
        )
        reader.block(_answers_only(body))
    return WordDocument(
        lines=reader.lines, comments=reader.comment_notices, tracked_changes=reader.tracked
    )


def _check_sizes(archive: zipfile.ZipFile) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNPACKED_BYTES or (info.file_size > 1_000_000 and ratio > MAX_MEMBER_RATIO):
            raise DocumentError(
                0,
                _(
                    "the Word document is too large once unpacked (%(size)d MB, far more than a "
                    "submission holds): it is refused"
                )
                % {"size": max(total, info.file_size) // (1024 * 1024)},
            )


def _xml(archive: zipfile.ZipFile, name: str):
    try:
        with archive.open(name) as member:
            data = member.read(MAX_UNPACKED_BYTES + 1)
        if len(data) > MAX_UNPACKED_BYTES:
            raise DocumentError(0, _("the Word document is too large to import"))
        return etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError, KeyError) as error:
        raise DocumentError(
            0,
            _("the Word document is damaged (%(part)s cannot be read): save it again as .docx")
            % {"part": name},
        ) from error


def _optional_xml(archive: zipfile.ZipFile, name: str):
    if name not in archive.namelist():
        return None
    return _xml(archive, name)


def _relationships(archive: zipfile.ZipFile) -> dict[str, str]:
    rels = _optional_xml(archive, "word/_rels/document.xml.rels")
    if rels is None:
        return {}
    return {
        rel.get("Id"): rel.get("Target", "")
        for rel in rels.findall(f"{{{REL}}}Relationship")
        if rel.get("Type", "").endswith("/hyperlink")
    }


def _numbering(archive: zipfile.ZipFile) -> dict[tuple[str, str], str]:
    """(numId, level) -> number format ("bullet", "decimal", ...)."""
    root = _optional_xml(archive, "word/numbering.xml")
    if root is None:
        return {}
    abstract = {}
    for item in root.findall("w:abstractNum", NS):
        levels = {}
        for level in item.findall("w:lvl", NS):
            fmt = level.find("w:numFmt", NS)
            levels[level.get(_tag("w:ilvl"))] = fmt.get(_tag("w:val")) if fmt is not None else ""
        abstract[item.get(_tag("w:abstractNumId"))] = levels
    formats = {}
    for num in root.findall("w:num", NS):
        ref = num.find("w:abstractNumId", NS)
        levels = abstract.get(ref.get(_tag("w:val")) if ref is not None else "", {})
        for level, fmt in levels.items():
            formats[(num.get(_tag("w:numId")), level)] = fmt
    return formats


def _styles(archive: zipfile.ZipFile) -> dict[str, str]:
    """Paragraph style id -> "bullet" or "decimal" (Word's "List Bullet", "List Number"),
    or "note" (the export's note style)."""
    root = _optional_xml(archive, "word/styles.xml")
    if root is None:
        return {}
    found = {}
    for style in root.findall("w:style", NS):
        name = style.find("w:name", NS)
        label = (name.get(_tag("w:val")) if name is not None else "").casefold()
        if label.startswith("list bullet"):
            found[style.get(_tag("w:styleId"))] = "bullet"
        elif label.startswith("list number"):
            found[style.get(_tag("w:styleId"))] = "decimal"
        elif label == NOTE_STYLE.casefold():
            found[style.get(_tag("w:styleId"))] = "note"
    return found


def _answers_only(body):
    """The body, or the part of it between the export's answers bookmark, if it has one."""
    children = list(body)
    start = next(
        (
            i
            for i, child in enumerate(children)
            if child.tag == BOOKMARK_START and child.get(_tag("w:name")) == ANSWERS_BOOKMARK
        ),
        None,
    )
    if start is None:
        return children
    mark = children[start].get(_tag("w:id"))
    end = next(
        (
            i
            for i, child in enumerate(children[start:], start)
            if child.tag == BOOKMARK_END and child.get(_tag("w:id")) == mark
        ),
        len(children),
    )
    return children[start + 1 : end]


def _comments(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """Comment id -> (author, text)."""
    root = _optional_xml(archive, "word/comments.xml")
    if root is None:
        return {}
    comments = {}
    for comment in root.findall("w:comment", NS):
        text = " ".join("".join(t.text or "" for t in p.iter(T)) for p in comment.iter(P)).strip()
        comments[comment.get(_tag("w:id"))] = (comment.get(_tag("w:author"), ""), text)
    return comments


class _Reader:
    def __init__(self, *, links, numbering, list_styles, notes, comments):
        self.links, self.numbering, self.list_styles = links, numbering, list_styles
        self.notes, self.comments = notes, comments
        self.lines: list[Line] = []
        self.comment_notices: list[Notice] = []
        self.tracked = False
        self.paragraph = 0
        self.counters: dict[tuple[str, str], int] = {}

    # -- Blocks ---------------------------------------------------------------------------

    def block(self, element) -> None:
        for child in element:
            if child.tag == P:
                if self.style(child) in self.notes:
                    continue
                self.emit(self.paragraph_text(child))
            elif child.tag == TBL:
                self.table(child)
            elif child.tag == SDT:
                self.content_control(child)
            elif child.tag in (INS, MOVE_TO):
                self.tracked = True
                self.block(child)
            elif child.tag in (DEL, MOVE_FROM):
                self.tracked = True

    @staticmethod
    def style(paragraph) -> str:
        style = paragraph.find("w:pPr/w:pStyle", NS)
        return style.get(_tag("w:val")) if style is not None else ""

    def content_control(self, sdt) -> None:
        content = sdt.find("w:sdtContent", NS)
        if content is not None:
            self.block(content)

    def emit(self, text: str) -> None:
        """One paragraph: its soft line breaks make lines of the same paragraph."""
        self.paragraph += 1
        first = True
        for piece in text.split("\n"):
            stripped = piece.strip()
            if stripped:
                self.lines.append(Line(self.paragraph, stripped, blank_before=first))
                first = False

    # -- Tables ---------------------------------------------------------------------------

    def table(self, table) -> None:
        rows = [
            [self.cell_texts(cell) for cell in row.findall("w:tc", NS)]
            for row in table.findall("w:tr", NS)
        ]
        rows = [row for row in rows if any(any(text for text in cell) for cell in row)]
        if not rows:
            return
        widths = {len(row) for row in rows}
        if widths == {2}:
            for label, value in rows:  # the Word template: label | value
                self.emit_cell(label)
                self.emit_cell(value)
            return
        header = [" ".join(cell).strip() for cell in rows[0]]
        if len(rows) > 1 and len(header) >= 3 and all(header):
            for row in rows[1:]:  # a header row of labels, then a record per row
                for label, cell in zip(header, row, strict=False):
                    self.emit(label)
                    self.emit_cell(cell)
            return
        for row in rows:
            for cell in row:
                self.emit_cell(cell)

    def cell_texts(self, cell) -> list[str]:
        """A cell's paragraphs (a nested table's too), in order."""
        texts = []
        for child in cell:
            if child.tag == P:
                texts.append(self.paragraph_text(child))
            elif child.tag == TBL:
                for row in child.findall("w:tr", NS):
                    for inner in row.findall("w:tc", NS):
                        texts.extend(self.cell_texts(inner))
            elif child.tag == SDT:
                content = child.find("w:sdtContent", NS)
                if content is not None:
                    texts.extend(
                        self.paragraph_text(p) for p in content.iter(P) if p.getparent() is content
                    )
        return texts

    def emit_cell(self, paragraphs: list[str]) -> None:
        if not any(text.strip() for text in paragraphs):
            self.paragraph += 1  # an empty value keeps its place
            return
        for text in paragraphs:
            if text.strip():
                self.emit(text)

    # -- Paragraphs -----------------------------------------------------------------------

    def paragraph_text(self, paragraph) -> str:
        pieces: list[str] = []
        field_url = [""]
        in_field_code = [False]
        self.runs(paragraph, pieces, field_url, in_field_code)
        text = "".join(pieces)
        prefix = self.list_prefix(paragraph)
        for start in paragraph.iter(COMMENT_START, COMMENT_REFERENCE):
            comment = self.comments.get(start.get(_tag("w:id")))
            if comment is not None and start.tag == COMMENT_START:
                author, said = comment
                self.comment_notices.append(
                    Notice(
                        self.paragraph + 1,
                        _("Word comment by %(author)s") % {"author": author or _("someone")},
                        said,
                    )
                )
        return prefix + text if text.strip() else text

    def runs(self, element, pieces, field_url, in_field_code) -> None:
        for child in element:
            tag = child.tag
            if tag == T:
                if not in_field_code[0]:
                    pieces.append(child.text or "")
            elif tag == TAB:
                pieces.append("\t")
            elif tag in (BR, CR):
                if child.get(_tag("w:type")) in (None, "textWrapping"):
                    pieces.append("\n")
            elif tag in (DEL, MOVE_FROM, DEL_TEXT):
                self.tracked = True  # deleted text is not what the author sees
            elif tag in (INS, MOVE_TO):
                self.tracked = True
                self.runs(child, pieces, field_url, in_field_code)
            elif tag == HYPERLINK:
                start = len(pieces)
                self.runs(child, pieces, field_url, in_field_code)
                address = self.links.get(child.get(_tag("r:id")), "")
                self._link(pieces, start, address)
            elif tag == FLD_SIMPLE:
                start = len(pieces)
                self.runs(child, pieces, field_url, in_field_code)
                match = _HYPERLINK_FIELD.search(child.get(_tag("w:instr"), ""))
                if match:
                    self._link(pieces, start, match[1])
            elif tag == INSTR:
                match = _HYPERLINK_FIELD.search(child.text or "")
                if match:
                    field_url[0] = match[1]
            elif tag == FLD_CHAR:
                kind = child.get(_tag("w:fldCharType"))
                if kind == "begin":
                    in_field_code[0] = True
                    field_url.append(len(pieces))  # where the field's result starts
                elif kind == "separate":
                    in_field_code[0] = False
                    field_url[-1] = len(pieces)
                elif kind == "end":
                    in_field_code[0] = False
                    start = field_url.pop() if len(field_url) > 1 else len(pieces)
                    if field_url[0]:
                        self._link(pieces, start, field_url[0])
                        field_url[0] = ""
            elif tag in (DRAWING, PICT) or tag.endswith("}pPr") or tag.endswith("}rPr"):
                continue
            else:
                self.runs(child, pieces, field_url, in_field_code)

    @staticmethod
    def _link(pieces: list[str], start: int, address: str) -> None:
        """A hyperlink's text, with its address after it when the text is not the address."""
        if not address:
            return
        text = "".join(pieces[start:]).strip()
        del pieces[start:]
        if not text or text.rstrip("/") == address.rstrip("/"):
            pieces.append(address)
        else:
            pieces.append(f"{text} ({address})")

    def list_prefix(self, paragraph) -> str:
        num = paragraph.find("w:pPr/w:numPr", NS)
        fmt = ""
        key = ("", "0")
        if num is not None:
            num_id = num.find("w:numId", NS)
            level = num.find("w:ilvl", NS)
            key = (
                num_id.get(_tag("w:val")) if num_id is not None else "",
                level.get(_tag("w:val")) if level is not None else "0",
            )
            if key[0] == "0":
                return ""  # numbering switched off
            fmt = self.numbering.get(key, "decimal")
        else:
            fmt = self.list_styles.get(self.style(paragraph), "")
            key = ("style", fmt)
        if not fmt or fmt == "none":
            return ""
        if fmt == "bullet":
            return "- "
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"{self.counters[key]}. "
