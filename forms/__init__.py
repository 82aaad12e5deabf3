"""The commitment letter: catalogue, validation, rendering, sealing. Imports neither aiogram nor FastAPI."""
