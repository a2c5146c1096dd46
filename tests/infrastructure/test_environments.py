"""dev, sit and prod as Terraform plans them: fmt, validate, and the requirements per environment.

Each environment is planned against the emulator with its real tfvars (an override file swaps
only the backend and the provider endpoints), so these assertions read the values Terraform
would create, not the HCL that computes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib import topology
from chalicelib.settings import parse_origins
from scripts import terraform
from tests.infrastructure.conftest import (
    ENVIRONMENTS,
    PRIMARY_REGIONS,
    ROOT,
    deployed,
    needs_terraform,
    of_type,
)

pytestmark = needs_terraform

FUNCTIONS = (
    "api_handler",
    "order_creator_record",
    "order_pdf_creator",
    "order_internal_notification_sender",
    "customer_order_confirmation_sender",
    "order_status_stream",
)
EXPECTED = {
    # env: pitr days, queue/DLQ retention days, rate, burst, domain
    "dev": (7, 4, 7, 1000, 2000, "api-dev.bbws.io"),
    "sit": (14, 4, 14, 5000, 10000, "api-sit.bbws.io"),
    "prod": (35, 14, 14, 10000, 20000, "api.bbws.io"),
}
DAY = 86400


def service_modules(stage: str) -> tuple[str, ...]:
    return ("service", "service_dr") if stage == "prod" else ("service",)


def test_terraform_fmt_is_clean() -> None:
    result = terraform.run(
        ["fmt", "-check", "-recursive", "-diff"], ROOT / "infrastructure", check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_each_packaged_environment_validates(workspace: Path, stage: str) -> None:
    directory = workspace / "infrastructure" / "environments" / stage
    terraform.run(["init", "-backend=false", "-input=false"], directory)
    assert "The configuration is valid" in terraform.run(["validate"], directory).stdout


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_functions_logs_and_event_sources(plans: dict[str, Any], stage: str) -> None:
    plan = plans[stage]
    tfvars_retention = {"dev": 30, "sit": 90, "prod": 365}[stage]
    for module in service_modules(stage):
        functions = {
            f["values"]["function_name"]: f["values"]
            for f in of_type(plan, "aws_lambda_function", module)
        }
        assert set(functions) == {deployed(f, stage) for f in FUNCTIONS}
        for function in functions.values():
            assert function["runtime"] == "python3.12"
            assert function["architectures"] == ["arm64"]
            assert function["tracing_config"] == [{"mode": "Active"}]
        groups = {
            g["values"]["name"]: g["values"]
            for g in of_type(plan, "aws_cloudwatch_log_group", module)
        }
        for name in functions:
            assert groups[f"/aws/lambda/{name}"]["retention_in_days"] == tfvars_retention
        assert all(g["retention_in_days"] == tfvars_retention for g in groups.values())
        mappings = of_type(plan, "aws_lambda_event_source_mapping", module)
        assert len(mappings) == len(topology.CONSUMERS) + 1  # and the table's stream
        assert all(
            m["values"]["function_response_types"] == ["ReportBatchItemFailures"] for m in mappings
        )


PORTAL_ORIGINS = {
    "dev": ["https://portal-dev.bbws.io", "http://localhost:3000"],
    "sit": ["https://portal-sit.bbws.io"],
    "prod": ["https://portal.bbws.io"],
}


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_every_function_allows_the_stages_portal_origins(plans: dict[str, Any], stage: str) -> None:
    plan = plans[stage]
    origins = plan["variables"]["cors_allowed_origins"]["value"]
    assert origins == PORTAL_ORIGINS[stage]
    assert parse_origins(",".join(origins)) == tuple(origins)  # what the function will accept
    # The functions' environment is known only at apply (it holds the topic's ARN): check that
    # each module passes the variable on and every function's environment reads it.
    calls = plan["configuration"]["root_module"]["module_calls"]
    for module in service_modules(stage):
        call = calls[module]
        assert call["expressions"]["cors_allowed_origins"]["references"] == [
            "var.cors_allowed_origins"
        ]
        functions = [r for r in call["module"]["resources"] if r["type"] == "aws_lambda_function"]
        assert len(functions) == len(FUNCTIONS)
        for function in functions:
            [environment] = function["expressions"]["environment"]
            assert "var.cors_allowed_origins" in environment["variables"]["references"]


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_event_sources_reference_the_managed_queues(plans: dict[str, Any], stage: str) -> None:
    calls = plans[stage]["configuration"]["root_module"]["module_calls"]
    for module, messaging in (("service", "messaging"), ("service_dr", "messaging_dr")):
        if module not in calls:
            continue
        assert (
            f"module.{messaging}.queue_arns"
            in calls[module]["expressions"]["queue_arns"]["references"]
        )
        stream = "module.dynamodb." + (
            "replica_stream_arns" if module == "service_dr" else "stream_arn"
        )
        assert stream in calls[module]["expressions"]["orders_stream_arn"]["references"]
        for resource in calls[module]["module"]["resources"]:
            if resource["type"] == "aws_lambda_event_source_mapping":
                expected = (
                    "var.orders_stream_arn" if "stream" in resource["name"] else "var.queue_arns"
                )
                assert expected in resource["expressions"]["event_source_arn"]["references"]


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_the_table(plans: dict[str, Any], stage: str) -> None:
    pitr_days = EXPECTED[stage][0]
    [table] = [t["values"] for t in of_type(plans[stage], "aws_dynamodb_table")]
    assert table["name"] == f"bbws-customer-portal-orders-{stage}"
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert (table["hash_key"], table["range_key"]) == ("PK", "SK")
    assert {
        i["name"]: (i["hash_key"], i["range_key"]) for i in table["global_secondary_index"]
    } == {
        "OrdersByDateIndex": ("GSI1_PK", "GSI1_SK"),
        "OrderByIdIndex": ("GSI2_PK", "GSI2_SK"),
    }
    assert table["ttl"] == [{"attribute_name": "expiresAt", "enabled": True}]
    assert table["point_in_time_recovery"] == [
        {"enabled": True, "recovery_period_in_days": pitr_days}
    ]
    assert table["stream_enabled"] is True
    assert table["stream_view_type"] == "NEW_AND_OLD_IMAGES"
    assert table["server_side_encryption"][0]["enabled"] is True
    assert table["deletion_protection_enabled"] is (stage == "prod")
    assert [r["region_name"] for r in table.get("replica", [])] == (
        ["eu-west-1"] if stage == "prod" else []
    )


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_queues_and_alarms(plans: dict[str, Any], stage: str) -> None:
    _, queue_days, dlq_days, *_ = EXPECTED[stage]
    plan = plans[stage]
    regions = ("messaging", "messaging_dr") if stage == "prod" else ("messaging",)
    for module in regions:
        queues = {q["values"]["name"]: q["values"] for q in of_type(plan, "aws_sqs_queue", module)}
        dlqs = {n: q for n, q in queues.items() if "-dlq-" in n}
        # one DLQ per work queue, and the stream's on-failure queue
        assert len(dlqs) == len(topology.CONSUMERS) + 1 == len(queues) - len(dlqs) + 1
        for name, queue in queues.items():
            days = dlq_days if name in dlqs else queue_days
            assert queue["message_retention_seconds"] == days * DAY, name
        subscriptions = of_type(plan, "aws_sns_topic_subscription", module)
        assert len(subscriptions) == sum(c.fed_by_topic for c in topology.CONSUMERS)
        assert all(s["values"]["raw_message_delivery"] for s in subscriptions)
    monitoring_modules = ("monitoring", "monitoring_dr") if stage == "prod" else ("monitoring",)
    for module, messaging in zip(monitoring_modules, regions, strict=True):
        dlq_names = {
            q["values"]["name"]
            for q in of_type(plan, "aws_sqs_queue", messaging)
            if "-dlq-" in q["values"]["name"]
        }
        alarms = [a["values"] for a in of_type(plan, "aws_cloudwatch_metric_alarm", module)]
        watched = {
            a["dimensions"]["QueueName"]
            for a in alarms
            if a["metric_name"] == "ApproximateNumberOfMessagesVisible"
        }
        assert watched == dlq_names
        assert all(
            a["threshold"] == 0
            for a in alarms
            if a["metric_name"] == "ApproximateNumberOfMessagesVisible"
        )
        for metric in ("Errors", "Throttles"):
            assert {
                a["dimensions"]["FunctionName"] for a in alarms if a["metric_name"] == metric
            } == {deployed(f, stage) for f in FUNCTIONS}
        assert {a["metric_name"] for a in alarms if a["namespace"] == "AWS/ApiGateway"} == {
            "5XXError",
            "Latency",
        }
        assert [a["extended_statistic"] for a in alarms if a["metric_name"] == "Latency"] == ["p99"]
        bad_data = {
            (a["metric_name"], a["dimensions"]["function"])
            for a in alarms
            if a["namespace"] == "BBWS/Orders" and a["threshold"] == 0
        }
        emf_names = {"api" if f == "api_handler" else f for f in FUNCTIONS}
        assert bad_data == {("UnreadableItems", f) for f in emf_names} | {
            ("EmailsRefused", f)
            for f in ("order_internal_notification_sender", "customer_order_confirmation_sender")
        }
        [cart] = [a for a in alarms if a["metric_name"] == "CartErrors"]
        assert (cart["dimensions"]["function"], cart["threshold"]) == ("api", 10)
        [topic] = [t["values"] for t in of_type(plan, "aws_sns_topic", module)]
        assert topic["name"] == f"bbws-alerts-{stage}"


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_buckets(plans: dict[str, Any], stage: str) -> None:
    plan = plans[stage]
    names = {b["values"]["bucket"] for b in of_type(plan, "aws_s3_bucket")}
    expected = {f"bbws-orders-{stage}", f"bbws-email-templates-{stage}"}
    if stage == "prod":
        expected |= {"bbws-orders-prod-dr", "bbws-email-templates-prod-dr"}  # section 5.3
    assert names == expected
    blocks = [b["values"] for b in of_type(plan, "aws_s3_bucket_public_access_block")]
    assert len(blocks) == len(names)
    for block in blocks:
        assert all(
            block[k] is True
            for k in (
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            )
        )
    assert all(
        v["values"]["versioning_configuration"][0]["status"] == "Enabled"
        for v in of_type(plan, "aws_s3_bucket_versioning")
    )
    for sse in of_type(plan, "aws_s3_bucket_server_side_encryption_configuration"):
        assert (
            sse["values"]["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"]
            == "aws:kms"
        )
    assert len(of_type(plan, "aws_s3_bucket_policy")) == len(names)
    lifecycles = of_type(plan, "aws_s3_bucket_lifecycle_configuration")
    assert len(lifecycles) == len(expected)
    for lifecycle in lifecycles:
        [rule] = lifecycle["values"]["rule"]
        transitions = [(t["days"], t["storage_class"]) for t in rule["transition"]]
        assert rule["noncurrent_version_expiration"][0]["noncurrent_days"] == 90
        if lifecycle["index"] == "templates":
            # Read on every email and kept indefinitely (requirements 3.4): an archived template
            # would fail every GetObject, and every email would dead-letter.
            assert (rule["expiration"], transitions) == ([], [])
            continue
        assert rule["expiration"][0]["days"] == 7 * 365
        # Instant Retrieval: a presigned GET still reads an archived document (API.md's link).
        assert transitions == ([(730, "GLACIER_IR")] if stage == "prod" else [])
    replication = of_type(plan, "aws_s3_bucket_replication_configuration")
    assert len(replication) == (2 if stage == "prod" else 0)
    templates = {o["values"]["key"] for o in of_type(plan, "aws_s3_object")}
    assert templates == {
        "customer/order_confirmation.html",
        "customer/order_update.html",
        "internal/order_notification.html",
    }


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_api_stage_domain_and_failover(plans: dict[str, Any], stage: str) -> None:
    *_, rate, burst, domain = EXPECTED[stage]
    plan = plans[stage]
    limits = {
        settings["values"]["method_path"]: (
            settings["values"]["settings"][0]["throttling_rate_limit"],
            settings["values"]["settings"][0]["throttling_burst_limit"],
        )
        for settings in of_type(plan, "aws_api_gateway_method_settings")
    }
    # The whole stage, and a ceiling of their own for the admins' support actions.
    assert limits == {
        "*/*": (rate, burst),
        "v1.0/orders/{orderId}/rerender-document/POST": (5, 10),
        "v1.0/orders/{orderId}/resend-email/POST": (5, 10),
    }
    for stage_resource in of_type(plan, "aws_api_gateway_stage"):
        assert stage_resource["values"]["stage_name"] == "v1"
        assert stage_resource["values"]["xray_tracing_enabled"] is True
    domains = [d["values"] for d in of_type(plan, "aws_api_gateway_domain_name")]
    # PROD's standby also answers as api-dr.bbws.io (requirements section 5.3), a plain record.
    own_names = {"api-dr.bbws.io"} if stage == "prod" else set()
    assert {d["domain_name"] for d in domains} == {domain} | own_names
    assert all(d["security_policy"] == "TLS_1_2" for d in domains)
    checks = [c["values"] for c in of_type(plan, "aws_route53_health_check")]
    records = [r["values"] for r in of_type(plan, "aws_route53_record")]
    if stage == "prod":
        assert len(checks) == 2
        assert all(
            (c["type"], c["resource_path"], c["request_interval"], c["failure_threshold"])
            == ("HTTPS", "/v1/health", 30, 2)
            for c in checks
        )
        failover = [r for r in records if r["name"] == domain]
        assert sorted(r["failover_routing_policy"][0]["type"] for r in failover) == [
            "PRIMARY",
            "PRIMARY",
            "SECONDARY",
            "SECONDARY",
        ]
        direct = [r for r in records if r["name"] == "api-dr.bbws.io"]
        assert sorted(r["type"] for r in direct) == ["A", "AAAA"]
        assert all(not r.get("failover_routing_policy") for r in direct)
        [mapping] = [
            m["address"]
            for m in of_type(plan, "aws_api_gateway_base_path_mapping")
            if m["address"].startswith("module.api_domain_dr_direct.")
        ]
        assert mapping
    else:
        assert checks == []
        assert all(not r.get("failover_routing_policy") for r in records)


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_the_cursor_secret_and_keys(plans: dict[str, Any], stage: str) -> None:
    plan = plans[stage]
    [secret] = [s["values"] for s in of_type(plan, "aws_secretsmanager_secret")]
    assert secret["name"] == f"bbws-order-cursor-key-{stage}"
    assert [r["region"] for r in secret.get("replica", [])] == (
        ["eu-west-1"] if stage == "prod" else []
    )
    [version] = [v["values"] for v in of_type(plan, "aws_secretsmanager_secret_version")]
    assert version.get("secret_string") in (None, "")  # write-only: never in plan or state
    keys = [k["values"] for k in of_type(plan, "aws_kms_key")]
    assert len(keys) == (2 if stage == "prod" else 1)
    assert all(k["enable_key_rotation"] for k in keys)


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_a_dashboard_per_region_shows_the_business_flow(plans: dict[str, Any], stage: str) -> None:
    plan = plans[stage]
    modules = {"monitoring": f"bbws-order-lambda-{stage}"}
    if stage == "prod":
        modules["monitoring_dr"] = "bbws-order-lambda-prod-eu-west-1"
    for module, name in modules.items():
        [dashboard] = [d["values"] for d in of_type(plan, "aws_cloudwatch_dashboard", module)]
        assert dashboard["dashboard_name"] == name
        widgets = json.loads(dashboard["dashboard_body"])["widgets"]
        metrics = [m for w in widgets if w["type"] == "metric" for m in w["properties"]["metrics"]]
        emf = {(m[1], m[3]) for m in metrics if m[0] == "BBWS/Orders"}
        # The EMF metrics with the dimensions chalicelib/metrics.py writes: function, service.
        assert all(m[2::2][:2] == ["function", "service"] for m in metrics if m[0] == "BBWS/Orders")
        assert {
            ("OrdersAccepted", "api"),
            ("OrdersCreated", "order_creator_record"),
            ("InvoicesRendered", "order_pdf_creator"),
            ("InvoiceRenderTime", "order_pdf_creator"),
            ("DocumentsRerendered", "order_pdf_creator"),
            ("SupportRequestsSkipped", "order_pdf_creator"),
            ("EmailsSent", "order_internal_notification_sender"),
            ("EmailsSent", "customer_order_confirmation_sender"),
        } <= emf
        assert {f for metric, f in emf if metric == "ProcessingFailures"} == set(FUNCTIONS[1:])
        names = {deployed(f, stage) for f in FUNCTIONS}
        assert {m[3] for m in metrics if m[:2] == ["AWS/Lambda", "Errors"]} == names
        dlqs = {m[3] for m in metrics if m[1] == "ApproximateNumberOfMessagesVisible"}
        assert len(dlqs) == len(topology.CONSUMERS) + 1  # and the stream's on-failure queue
        [logs] = [w for w in widgets if w["type"] == "log"]
        assert all(f"'/aws/lambda/{f}'" in logs["properties"]["query"] for f in names)
        assert {w["properties"]["region"] for w in widgets} == {
            "eu-west-1" if module == "monitoring_dr" else PRIMARY_REGIONS[stage]
        }


BUDGETS_USD = {"dev": "500.00", "sit": "1000.00", "prod": "5000.00"}  # requirements section 5.1


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_alarms_reach_someone_and_the_budget_is_the_documents(
    plans: dict[str, Any], stage: str
) -> None:
    plan = plans[stage]
    emails = plan["variables"]["alert_emails"]["value"]
    assert emails
    for module in ("monitoring", "monitoring_dr") if stage == "prod" else ("monitoring",):
        subscriptions = of_type(plan, "aws_sns_topic_subscription", module)
        assert sorted(s["values"]["endpoint"] for s in subscriptions) == sorted(emails)
        assert {s["values"]["protocol"] for s in subscriptions} == {"email"}
    [budget] = [b["values"] for b in of_type(plan, "aws_budgets_budget")]
    assert budget["name"] == f"bbws-order-lambda-{stage}"
    assert (budget["budget_type"], budget["time_unit"], budget["limit_unit"]) == (
        "COST",
        "MONTHLY",
        "USD",
    )
    assert budget["limit_amount"] == BUDGETS_USD[stage]
    assert budget["cost_filter"] == [
        {"name": "TagKeyValue", "values": ["user:Service$bbws-order-lambda"]}
    ]
    notifications = {(n["notification_type"], n["threshold"]) for n in budget["notification"]}
    assert notifications == {("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100)}
    assert all(n["subscriber_email_addresses"] == emails for n in budget["notification"])


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_prod_backs_the_table_up_hourly_and_alarms_on_replication_lag(
    plans: dict[str, Any], stage: str
) -> None:
    plan = plans[stage]
    vaults = of_type(plan, "aws_backup_vault")
    alarms = {
        a["values"]["alarm_name"]: (a["address"], a["values"])
        for a in of_type(plan, "aws_cloudwatch_metric_alarm")
        if a["values"]["metric_name"] == "ReplicationLatency"
    }
    if stage != "prod":
        assert vaults == []
        assert alarms == {}
        return
    [vault] = [v["values"] for v in vaults]
    assert vault["name"] == "bbws-order-lambda-prod"
    [backup_plan] = [p["values"] for p in of_type(plan, "aws_backup_plan")]
    [rule] = backup_plan["rule"]
    assert rule["schedule"] == "cron(0 * ? * * *)"  # every hour
    assert rule["target_vault_name"] == vault["name"]
    assert rule["lifecycle"][0]["delete_after"] == 7
    [selection] = of_type(plan, "aws_backup_selection")
    calls = plan["configuration"]["root_module"]["module_calls"]
    assert (
        "module.dynamodb.table_arn" in calls["backup"]["expressions"]["resource_arns"]["references"]
    )
    assert selection["values"]["name"] == "bbws-order-lambda-prod-resources"
    table = "bbws-customer-portal-orders-prod"
    # Both directions of the active/active pair, each alarmed in the region that sends.
    assert set(alarms) == {
        f"{table}-replication-to-eu-west-1",
        f"{table}-replication-to-af-south-1",
    }
    to_dr_address, to_dr = alarms[f"{table}-replication-to-eu-west-1"]
    assert to_dr_address.startswith("module.monitoring.")
    assert alarms[f"{table}-replication-to-af-south-1"][0].startswith("module.monitoring_dr.")
    assert to_dr["threshold"] == 5000
    assert to_dr["dimensions"] == {"TableName": table, "ReceivingRegion": "eu-west-1"}


def test_templates_are_uploaded_only_once_replication_exists(plans: dict[str, Any]) -> None:
    """An object written before the replication rule never reaches the DR bucket."""
    storage = plans["prod"]["configuration"]["root_module"]["module_calls"]["storage"]["module"]
    [template] = [r for r in storage["resources"] if r["address"] == "aws_s3_object.template"]
    assert "aws_s3_bucket_replication_configuration.this" in template["depends_on"]
    rules = of_type(plans["prod"], "aws_s3_bucket_replication_configuration", "storage")
    assert len(rules) == 2  # both buckets replicate, the templates' included


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_the_per_ip_rate_limit_spares_only_the_listed_runners(
    plans: dict[str, Any], stage: str
) -> None:
    plan = plans[stage]
    trusted = plan["variables"]["waf_trusted_cidrs"]["value"]
    assert trusted == (["203.0.113.10/32"] if stage == "sit" else [])
    ip_sets = [s["values"] for s in of_type(plan, "aws_wafv2_ip_set")]
    acls = [a["values"] for a in of_type(plan, "aws_wafv2_web_acl")]
    assert acls
    for acl in acls:
        [rate] = [r for r in acl["rule"] if r["name"] == "per-ip-rate"]
        [statement] = rate["statement"][0]["rate_based_statement"]
        assert statement["limit"] == plan["variables"]["waf_rate_limit_per_ip"]["value"] == 3000
        scope_down = statement["scope_down_statement"]
        assert len(scope_down) == (1 if trusted else 0)
        if trusted:
            assert scope_down[0]["not_statement"][0]["statement"][0]["ip_set_reference_statement"]
    if trusted:
        assert [s["addresses"] for s in ip_sets] == [trusted]
        assert ip_sets[0]["name"] == f"bbws-order-api-trusted-{stage}"
    else:
        assert ip_sets == []


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_the_cost_models_fixed_counts_match_the_plans(plans: dict[str, Any], stage: str) -> None:
    """`make cost` prices what Terraform builds (docs/cost/usage.json), not a remembered list."""
    usage = json.loads((ROOT / "docs" / "cost" / "usage.json").read_text())
    counts = usage["fixed"]["per_environment"][stage]
    plan = plans[stage]
    secrets = [s["values"] for s in of_type(plan, "aws_secretsmanager_secret")]
    acls = [a["values"] for a in of_type(plan, "aws_wafv2_web_acl")]
    assert counts == {
        "alarms": len(of_type(plan, "aws_cloudwatch_metric_alarm")),
        "dashboards": len(of_type(plan, "aws_cloudwatch_dashboard")),
        "kms_keys": len(of_type(plan, "aws_kms_key")),
        "web_acls": len(acls),
        "waf_rules": sum(len(a["rule"]) for a in acls),
        "health_checks": len(of_type(plan, "aws_route53_health_check")),
        "secrets": len(secrets) + sum(len(s.get("replica") or []) for s in secrets),
        "polled_queues": len(topology.CONSUMERS) * len(service_modules(stage)),
    }
    environment = usage["environments"][stage]
    assert environment["region"] == PRIMARY_REGIONS[stage]
    assert environment["document_estimate"] == {"dev": 176, "sit": 411, "prod": 2810}[stage]
