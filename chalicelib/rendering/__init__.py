"""Pure rendering: Order → PDF bytes, Order → (subject, html, text). Imported by processors only."""
