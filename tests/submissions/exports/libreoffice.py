"""Opening a DOCX in LibreOffice, as a reader would, and what LibreOffice counts in it."""

import subprocess
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import require_program

META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"


@dataclass
class Opened:
    statistics: dict[str, int]  # LibreOffice's document statistics: word-count, image-count...
    pictures: list[str]  # the pictures the document holds


def libreoffice_convert(content: bytes, suffix: str, target: str, tmp_path: Path) -> Path:
    """Convert a document with headless LibreOffice (which must open it to do so)."""
    soffice = require_program("soffice")
    source = tmp_path / f"submission.{suffix}"
    source.write_bytes(content)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = tmp_path / f"submission.{target}"
    assert converted.exists(), f"LibreOffice did not open the {suffix.upper()}"
    return converted


def libreoffice_open(content: bytes, tmp_path: Path) -> Opened:
    """Open the DOCX in LibreOffice (converted to ODT) and read its document statistics."""
    converted = libreoffice_convert(content, "docx", "odt", tmp_path)
    with zipfile.ZipFile(converted) as odt:
        element = ET.fromstring(odt.read("meta.xml")).find(f".//{{{META}}}document-statistic")
        pictures = [name for name in odt.namelist() if name.startswith("Pictures/")]
    statistics = {name.split("}")[1]: int(value) for name, value in element.attrib.items()}
    return Opened(statistics=statistics, pictures=pictures)


def pdf_pages(path: Path) -> int:
    """The number of pages of a PDF, as poppler's pdfinfo reads it."""
    info = subprocess.run(
        [require_program("pdfinfo"), str(path)], check=True, capture_output=True, text=True
    ).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))
