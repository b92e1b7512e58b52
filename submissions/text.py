"""Text hygiene shared by forms, importers and exporters."""

import re

# C0 controls except tab (0x09), newline (0x0A) and carriage return (0x0D), DEL,
# and the non-characters U+FFFE/U+FFFF: lxml (and so python-docx) refuses them,
# and a pasted one would otherwise break every later export.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

MAX_TEXT_LENGTH = 20_000


def strip_control_characters(text: str) -> str:
    """Remove characters that XML and word processors cannot hold; keep tab and newlines."""
    return _FORBIDDEN.sub("", text or "")
