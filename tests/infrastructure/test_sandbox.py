"""A developer's sandbox, as planned (docs/sandbox.md): the whole service, names suffixed, no
custom domain, no DR, its own Cognito pool, and everything in it disposable."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from scripts import sandbox
from tests.infrastructure.conftest import (
    ROOT,
    generated,
    needs_terraform,
    of_type,
    plan,
    resources,
)
from tests.infrastructure.emulator import EMULATOR_ACCOUNT

pytestmark = needs_terraform

SANDBOX = sandbox.Sandbox("jdoe")
EMAIL = "jdoe@example.com"
# Attributes that hold a resource's AWS name, per type where it is not `name`.
NAME_ATTRIBUTES = {
    "aws_lambda_function": "function_name",
    "aws_s3_bucket": "bucket",
    "aws_dynamodb_table": "name",
    "aws_lambda_layer_version": "layer_name",
    "aws_cloudwatch_metric_alarm": "alarm_name",
    "aws_cloudwatch_dashboard": "dashboard_name",
}
# Named resources whose names are not the stage's: AWS's own or fixed inside the stack.
UNSUFFIXED = {
    "aws_cognito_user_group",  # the API's group names: admin, payments
    "aws_iam_role_policy",  # inline, named inside its suffixed role
    "aws_kms_alias",  # alias/bbws-order-lambda-{env}: checked below
}


@pytest.fixture(scope="module")
def sandbox_plan(workspace: Path, emulator: str) -> dict[str, Any]:
    """The sandbox planned against the emulator with what `make sandbox-up` writes."""
    values = sandbox.settings(SANDBOX, EMULATOR_ACCOUNT, EMAIL)
    variables = workspace / "sandbox-jdoe.tfvars.json"
    variables.write_text(json.dumps(values))
    return plan(workspace, "sandbox", emulator, (variables,))


def names(plan_json: dict[str, Any]) -> dict[str, list[str]]:
    """Every planned AWS name, by resource type."""
    found: dict[str, list[str]] = {}
    for resource in resources(plan_json):
        if resource["mode"] != "managed":
            continue
        value = resource.get("values", {}).get(NAME_ATTRIBUTES.get(resource["type"], "name"))
        if isinstance(value, str):
            found.setdefault(resource["type"], []).append(value)
    return found


def test_every_name_ends_in_the_sandboxs_environment(sandbox_plan: dict[str, Any]) -> None:
    planned = names(sandbox_plan)
    assert len(planned["aws_lambda_function"]) == 6
    assert "bbws-order-lambda-api-handler-sbx-jdoe" in planned["aws_lambda_function"]
    assert planned["aws_dynamodb_table"] == ["bbws-customer-portal-orders-sbx-jdoe"]
    assert sorted(planned["aws_s3_bucket"]) == [
        "bbws-email-templates-sbx-jdoe",
        "bbws-orders-sbx-jdoe",
    ]
    assert planned["aws_api_gateway_rest_api"] == ["bbws-order-api-sbx-jdoe"]
    assert "bbws-order-creation-dlq-sbx-jdoe" in planned["aws_sqs_queue"]
    unsuffixed = {
        kind: [n for n in found if "sbx-jdoe" not in n]
        for kind, found in planned.items()
        if kind not in UNSUFFIXED
    }
    assert {kind: found for kind, found in unsuffixed.items() if found} == {}
    # Nothing of the shared stages' names leaks in.
    every = json.dumps(planned)
    assert not re.search(r"-(dev|sit|prod)\b", every), every


def test_no_custom_domain_no_dr_and_its_own_pool(sandbox_plan: dict[str, Any]) -> None:
    kinds = {r["type"] for r in resources(sandbox_plan) if r["mode"] == "managed"}
    for absent in (
        "aws_api_gateway_domain_name",
        "aws_api_gateway_base_path_mapping",
        "aws_route53_record",
        "aws_s3_bucket_replication_configuration",
        "aws_backup_plan",
    ):
        assert absent not in kinds
    (table,) = of_type(sandbox_plan, "aws_dynamodb_table")
    assert table["values"]["replica"] == []
    assert not [r for r in resources(sandbox_plan) if r["address"].startswith("module.service_dr")]
    (pool,) = of_type(sandbox_plan, "aws_cognito_user_pool")
    assert pool["values"]["name"] == "bbws-order-portal-sbx-jdoe"
    assert [a["name"] for a in pool["values"]["schema"]] == ["tenantId"]
    groups = sorted(g["values"]["name"] for g in of_type(sandbox_plan, "aws_cognito_user_group"))
    assert groups == ["admin", "payments"]
    (client,) = of_type(sandbox_plan, "aws_cognito_user_pool_client")
    assert "ALLOW_USER_PASSWORD_AUTH" in client["values"]["explicit_auth_flows"]
    outputs = sandbox_plan["planned_values"]["outputs"]
    assert {"api_url", "cognito_user_pool_id", "cognito_client_id"} <= set(outputs)


def test_everything_in_it_is_disposable(sandbox_plan: dict[str, Any]) -> None:
    buckets = of_type(sandbox_plan, "aws_s3_bucket")
    assert len(buckets) == 2
    assert all(b["values"]["force_destroy"] for b in buckets)
    (secret,) = of_type(sandbox_plan, "aws_secretsmanager_secret")
    assert secret["values"]["recovery_window_in_days"] == 0
    (key,) = of_type(sandbox_plan, "aws_kms_key")
    assert key["values"]["deletion_window_in_days"] == 7
    (table,) = of_type(sandbox_plan, "aws_dynamodb_table")
    assert table["values"]["deletion_protection_enabled"] is False
    (alias,) = of_type(sandbox_plan, "aws_kms_alias")
    assert alias["values"]["name"] == "alias/bbws-order-lambda-sbx-jdoe"


def test_the_functions_send_as_the_developer_and_tell_them(
    sandbox_plan: dict[str, Any], workspace: Path
) -> None:
    # The functions' environment is known only at apply (it holds the topic's ARN): the stage's
    # names are templates on the environment, the developer's settings replace the stage's.
    stage = generated(workspace, "sandbox")["locals"]["stage_environment"]
    assert stage["APP_ENV"] == "${var.environment}"
    assert stage["ORDERS_TABLE_NAME"] == "bbws-customer-portal-orders-${var.environment}"
    assert "CART_API_URL" not in stage  # none unless the developer names one
    assert sandbox_plan["variables"]["settings"]["value"] == {
        "EMAIL_SENDER": EMAIL,
        "INTERNAL_NOTIFICATION_RECIPIENTS": EMAIL,
    }
    call = sandbox_plan["configuration"]["root_module"]["module_calls"]["service"]
    assert "var.settings" in call["expressions"]["lambda_environment"]["references"]
    alarms = of_type(sandbox_plan, "aws_sns_topic_subscription", "monitoring")
    assert [(s["values"]["protocol"], s["values"]["endpoint"]) for s in alarms] == [
        ("email", EMAIL)
    ]
    (budget,) = of_type(sandbox_plan, "aws_budgets_budget")
    assert budget["values"]["limit_amount"].startswith("50")


def test_the_id_rule_is_the_same_in_terraform_and_the_script() -> None:
    variables = (ROOT / "infrastructure" / "environments" / "shared" / "variables.tf").read_text()
    assert f'regex("^sbx-{sandbox.ID.pattern}$", var.environment)' in variables
