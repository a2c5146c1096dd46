"""The local stack (development only): emulator, provisioning, SQS poller, supervisor.

Imported only by `make run` and the tests; moto, chalice's CLI and requests are dev dependencies.
"""
