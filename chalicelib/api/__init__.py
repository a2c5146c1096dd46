"""HTTP edge helpers: authentication, body parsing, problem+json errors."""
