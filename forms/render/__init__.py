"""Rendering letters to HTML and PDF."""

from forms.render.letter import letter_html, letter_pdf
from forms.render.pdf import RenderingUnavailable, check_rendering, warm_up

__all__ = ["RenderingUnavailable", "check_rendering", "letter_html", "letter_pdf", "warm_up"]
