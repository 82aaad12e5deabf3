"""Rendering letters to HTML and PDF."""

from forms.render.letter import letter_html, letter_pdf, preview_pdf
from forms.render.pdf import RenderingUnavailable, warm_up

__all__ = ["RenderingUnavailable", "letter_html", "letter_pdf", "preview_pdf", "warm_up"]
