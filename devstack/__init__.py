"""The local stack (development only): emulator, provisioning, pollers, Lambda runtime, gateway.

Started by `make run` and by the tests; never deployed (`chalicelib` may not import it, and a
test lists the deployment zip). moto, Chalice's CLI, PyJWT and requests are dev dependencies.
"""
