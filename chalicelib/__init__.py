"""BBWS Order service library: everything app.py calls (settings, AWS, models, services).

All of this package is deployed to Lambda; dev tooling lives beside it (docs/architecture.md).
"""

# Chalice's app_name (also in .chalice/config.json, which cannot import it: a test compares them),
# the `service` of every log line and metric, and the prefix of every deployed name.
SERVICE_NAME = "bbws-order-lambda"
