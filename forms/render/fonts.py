"""A reduced Chinese face for letters: GB 2312 and punctuation cut from Noto Serif CJK SC.

Subsetting the 26 MB Noto collection for every letter costs ~35 ms and doubles the PDF; from an
8,000-character face it is half that. Characters outside it (rare name characters) still render:
the stylesheet falls back to the full Noto Serif CJK SC, glyph by glyph.
Built by `make` (`forms.render.fonts.build`); without it letters use the full face.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from forms.i18n import ROOT

REDUCED_CJK_FONT = ROOT / "build" / "fonts" / "ChengnuoSerifSC.otf"
REDUCED_CJK_FAMILY = "Chengnuo Serif SC"
SOURCE_FAMILY = "Noto Serif CJK SC"
_RANGES = [(0x20, 0x7E), (0xA0, 0x17F), (0x2000, 0x206F), (0x2100, 0x214F), (0x2460, 0x24FF),
           (0x2E80, 0x2FDF), (0x3000, 0x303F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF)]  # fmt: skip


def reduced_charset() -> str:
    """GB 2312 (6,763 hanzi and its symbols), Latin, and CJK punctuation and forms."""
    chars = {chr(c) for start, end in _RANGES for c in range(start, end + 1)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(sorted(chars))


def source_font() -> tuple[str, int]:
    """The file and face index fontconfig has for Noto Serif CJK SC."""
    found = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{index}", f"{SOURCE_FAMILY}:style=Regular"], capture_output=True, text=True
    )
    path, index = found.stdout.split("\n")
    if "NotoSerifCJK" not in path:
        raise SystemExit(f"{SOURCE_FAMILY} is not installed (apt-get install fonts-noto-cjk)")
    return path, int(index)


def build(target: Path = REDUCED_CJK_FONT) -> None:
    path, index = source_font()
    target.parent.mkdir(parents=True, exist_ok=True)
    charset = target.with_suffix(".txt")
    charset.write_text(reduced_charset(), encoding="utf-8")
    subprocess.run(
        ["hb-subset", f"--font-file={path}", f"--face-index={index}", f"--text-file={charset}",
         f"--output-file={target}.tmp"],
        check=True,
    )  # fmt: skip
    Path(f"{target}.tmp").replace(target)
    charset.unlink()


def font_face_rule() -> str:
    """The @font-face rule for the reduced face, or nothing when it has not been built."""
    if not REDUCED_CJK_FONT.exists():
        return ""
    return f'@font-face {{ font-family: "{REDUCED_CJK_FAMILY}"; src: url("{REDUCED_CJK_FONT.as_uri()}"); }}\n'
