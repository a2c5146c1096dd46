"""BBWS Order service library: everything app.py calls (settings, AWS, models, services)."""
