"""The Terraform modules applied to the emulator with stage `local`'s names (one apply a run).

`tests/infrastructure/test_apply.py` compares what they build with what `make run` provisions;
`tests/infrastructure/test_iam_proof.py` reads their policies back for the IAM proof.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from scripts import package, terraform
from tests.infrastructure.emulator import emulator_client, emulator_provider

ROOT = Path(__file__).resolve().parents[2]

REGION = "eu-west-1"
CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text())
LOCAL = {**CONFIG["environment_variables"], **CONFIG["stages"]["local"]["environment_variables"]}
TIMEOUTS = {name: f["lambda_timeout"] for name, f in CONFIG["lambda_functions"].items()}


def _module(path: str, root: Path, **values: Any) -> dict[str, Any]:
    return {"source": os.path.relpath(ROOT / "infrastructure" / "modules" / path, root), **values}


def _configuration(root: Path, url: str) -> dict[str, Any]:
    key = "${module.kms.key_arn}"
    functions = {name: package.function_name(name, "local") for name in TIMEOUTS}
    return {
        "terraform": {
            "required_providers": {"aws": {"source": "hashicorp/aws", "version": ">= 5.32, < 6"}}
        },
        # The environments' default tags (environments/shared/versions.tf): the roles' boundary
        # allows KMS only on keys tagged Service=bbws-order-lambda.
        "provider": {
            "aws": {
                **emulator_provider(url, REGION),
                "default_tags": [
                    {"tags": {"Service": "bbws-order-lambda", "ManagedBy": "terraform"}}
                ],
            }
        },
        "module": {
            "kms": _module("kms", root, environment="local"),
            "dynamodb": _module(
                "dynamodb",
                root,
                table_name=LOCAL["ORDERS_TABLE_NAME"],
                point_in_time_recovery_days=7,
                deletion_protection=False,
                kms_key_arn=key,
            ),
            "messaging": _module(
                "messaging",
                root,
                consumers=package.consumers("local"),
                topic_name=LOCAL["ORDER_EVENTS_TOPIC_NAME"],
                stream_dlq_name=LOCAL["ORDER_STATUS_STREAM_DLQ_NAME"],
                queue_retention_days=4,
                dlq_retention_days=7,
                kms_key_arn=key,
                restrict_redrive_sources=False,  # moto ignores RedriveAllowPolicy and never settles
            ),
            "storage": _module(
                "storage",
                root,
                environment="local",
                orders_bucket_name=LOCAL["ORDERS_BUCKET_NAME"],
                templates_bucket_name=LOCAL["TEMPLATES_BUCKET_NAME"],
                templates_source_dir=str(ROOT / "chalicelib" / "templates" / "email"),
                kms_key_arn=key,
                attach_tls_only_policy=False,  # moto applies a conditional Deny to every request
            ),
            "cursor_secret": _module(
                "cursor_secret", root, name=LOCAL["CURSOR_SECRET_ID"], kms_key_arn=key
            ),
            "iam": _module(
                "iam",
                root,
                function_names=functions,
                regions=[REGION],
                table_arns=["${module.dynamodb.table_arn}"],
                queue_arns="${{ for name, arn in module.messaging.queue_arns : name => [arn] }}",
                topic_arns=["${module.messaging.topic_arn}"],
                stream_arns=["${module.dynamodb.stream_arn}"],
                stream_dlq_arns=["${module.messaging.stream_dlq_arn}"],
                orders_bucket_arns=['${module.storage.bucket_arns["orders"]}'],
                templates_bucket_arns=['${module.storage.bucket_arns["templates"]}'],
                cursor_secret_arns=["${module.cursor_secret.secret_arn}"],
                ses_identity_arns=[f"arn:aws:ses:{REGION}:123456789012:identity/bbws.example"],
                kms_key_arns=[key],
            ),
        },
    }


def apply(emulator: str, root: Path) -> Callable[[str], Any]:
    """The modules applied to the emulator; returns a client factory for it."""
    (root / "main.tf.json").write_text(json.dumps(_configuration(root, emulator), indent=2))
    terraform.run(["init", "-input=false"], root)
    terraform.run(["apply", "-auto-approve", "-input=false"], root)

    return partial(emulator_client, emulator, region=REGION)
