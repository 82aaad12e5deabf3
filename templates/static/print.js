// The print view's button: a file of its own, as the pages allow no inline script.
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
