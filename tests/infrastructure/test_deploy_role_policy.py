"""The deploy role's policy and the roles' permissions boundary (infrastructure/bootstrap/).

The account administrators create both before the pipeline's first run (docs/delivery.md). This
checks them against what Terraform plans: every planned resource of dev, sit and prod must be
something the deploy role may create and change (its ARN, with the actions Terraform uses to
create it), every role Terraform creates carries the boundary, and the boundary allows every
action the roles' own policies name. A new resource type fails here until the policy covers it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from tests.infrastructure.conftest import (
    ENVIRONMENTS,
    PRIMARY_REGIONS,
    ROOT,
    deployed,
    needs_terraform,
)

BOOTSTRAP = ROOT / "infrastructure" / "bootstrap"
DEPLOY_POLICIES = sorted(BOOTSTRAP.glob("deploy-role-policy-*.json"))
BOUNDARY = BOOTSTRAP / "permissions-boundary.json"
MANAGED_POLICY_LIMIT = 6144  # characters of a managed policy, whitespace not counted
ACCOUNT = "123456789012"


def statements(*paths: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in paths:
        found.extend(json.loads(path.read_text())["Statement"])
    return found


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def matches(statement: dict[str, Any], action: str, resource: str) -> bool:
    return any(
        fnmatchcase(action.lower(), a.lower()) for a in as_list(statement["Action"])
    ) and any(fnmatchcase(resource, r) for r in as_list(statement["Resource"]))


def allowed(policy: list[dict[str, Any]], action: str, resource: str) -> bool:
    """Allowed by some statement (conditions aside) and denied by none."""
    return any(s["Effect"] == "Allow" and matches(s, action, resource) for s in policy) and not any(
        s["Effect"] == "Deny" and matches(s, action, resource) for s in policy
    )


def test_each_policy_fits_a_managed_policy_and_is_well_formed() -> None:
    assert len(DEPLOY_POLICIES) == 2
    for path in [*DEPLOY_POLICIES, BOUNDARY]:
        document = json.loads(path.read_text())
        assert document["Version"] == "2012-10-17"
        assert len(json.dumps(document, separators=(",", ":"))) <= MANAGED_POLICY_LIMIT, path
        sids = [s["Sid"] for s in document["Statement"]]
        assert len(sids) == len(set(sids)), path
        for statement in document["Statement"]:
            assert statement["Effect"] in ("Allow", "Deny")
            for action in as_list(statement["Action"]):
                # No service-wide wildcard: a read-only family (`s3:GetBucket*`) at most.
                assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z]+\*?", action), action
                assert not action.endswith(":*"), action


def test_the_deploy_role_cannot_escape_the_boundary() -> None:
    policy = statements(*DEPLOY_POLICIES)
    [create] = [s for s in policy if "iam:CreateRole" in as_list(s["Action"])]
    assert create["Condition"] == {
        "ArnLike": {"iam:PermissionsBoundary": "arn:aws:iam::*:policy/bbws-order-boundary"}
    }
    assert "iam:AttachRolePolicy" in create["Action"]
    assert "iam:PutRolePolicy" in create["Action"]
    role = f"arn:aws:iam::{ACCOUNT}:role/bbws-order-lambda-api-handler-dev"
    assert not allowed(policy, "iam:DeleteRolePermissionsBoundary", role)
    assert not allowed(
        policy, "iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/bbws-order-boundary"
    )
    assert not allowed(policy, "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/someone-else")
    [passing] = [s for s in policy if "iam:PassRole" in as_list(s["Action"])]
    assert passing["Condition"]["StringEquals"]["iam:PassedToService"] == [
        "lambda.amazonaws.com",
        "s3.amazonaws.com",
        "backup.amazonaws.com",
    ]


def role_policy_actions() -> set[str]:
    """Every action the roles' own policies name (the iam module, replication), trust aside."""
    found: set[str] = set()
    for path in (
        ROOT / "infrastructure/modules/iam/main.tf",
        ROOT / "infrastructure/modules/storage/replication.tf",
    ):
        for listed in re.findall(r"\b(?:actions|receive)\s*=\s*\[([^\]]*)\]", path.read_text()):
            found |= set(re.findall(r'"([a-z0-9-]+:[A-Za-z]+)"', listed))
    found.discard("sts:AssumeRole")
    return found


def test_the_boundary_allows_everything_the_roles_own_policies_grant() -> None:
    boundary = statements(BOUNDARY)
    actions = role_policy_actions()
    assert {
        "dynamodb:PutItem",
        "sqs:ReceiveMessage",
        "ses:SendRawEmail",
        "s3:ReplicateObject",
    } <= actions
    for action in sorted(actions):
        assert any(
            s["Effect"] == "Allow" and any(fnmatchcase(action, a) for a in as_list(s["Action"]))
            for s in boundary
        ), f"the boundary would silently take {action} away from a role"
    # And nothing a function never does: no table administration, no IAM, no deletion of buckets.
    everything = {a for s in boundary for a in as_list(s["Action"])}
    assert not {a for a in everything if a.startswith(("iam:", "sts:"))}
    assert "dynamodb:DeleteTable" not in everything
    assert "s3:DeleteBucket" not in everything


# --- what Terraform does to each planned resource ------------------------------------------------

Rule = Callable[[dict[str, Any], str, str], list[tuple[str, str]]]


def _bucket(resource: dict[str, Any], stage: str) -> str:
    prefix = {"orders": "bbws-orders", "templates": "bbws-email-templates"}[resource["index"]]
    dr = "-dr" if resource["address"].startswith("module.storage_dr.") else ""
    return f"arn:aws:s3:::{prefix}-{stage}{dr}"


def _role_of(resource: dict[str, Any], stage: str) -> str:
    address = resource["address"]
    if address.startswith("module.iam."):
        name = deployed(resource["index"], stage)
    elif address.startswith("module.backup."):
        name = f"bbws-order-lambda-{stage}-backup"
    else:
        name = f"bbws-order-s3-replication-{stage}"
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def _lambda(region: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"


def _apigw(region: str, path: str) -> str:
    return f"arn:aws:apigateway:{region}::{path}"


def _each(actions: list[str], arn: str) -> list[tuple[str, str]]:
    return [(action, arn) for action in actions]


def _s3(*actions: str) -> Rule:
    return lambda r, region, stage: _each(["s3:ListBucket", *actions], _bucket(r, stage))


def _api(path: str) -> Rule:
    return lambda r, region, stage: _each(
        ["apigateway:POST", "apigateway:PATCH", "apigateway:GET", "apigateway:DELETE"],
        _apigw(region, path.format(**r["values"])),
    )


def _webacl(region: str, stage: str) -> str:
    return f"arn:aws:wafv2:{region}:{ACCOUNT}:regional/webacl/bbws-order-lambda-{stage}/id"


RULES: dict[str, Rule] = {
    "aws_lambda_function": lambda r, region, stage: [
        *_each(
            [
                "lambda:CreateFunction",
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
                "lambda:GetFunction",
                "lambda:DeleteFunction",
                "lambda:TagResource",
            ],
            _lambda(region, r["values"]["function_name"]),
        ),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/{r['values']['function_name']}"),
    ],
    "aws_lambda_layer_version": lambda r, region, stage: _each(
        ["lambda:PublishLayerVersion", "lambda:GetLayerVersion", "lambda:DeleteLayerVersion"],
        f"arn:aws:lambda:{region}:{ACCOUNT}:layer:{r['values']['layer_name']}:1",
    ),
    "aws_lambda_permission": lambda r, region, stage: _each(
        ["lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy"],
        _lambda(region, deployed("api_handler", stage)),
    ),
    # Lambda names mappings by UUID: the policy confines them by the function (a condition).
    "aws_lambda_event_source_mapping": lambda r, region, stage: _each(
        [
            "lambda:CreateEventSourceMapping",
            "lambda:UpdateEventSourceMapping",
            "lambda:DeleteEventSourceMapping",
            "lambda:GetEventSourceMapping",
        ],
        "*",
    ),
    "aws_cloudwatch_log_group": lambda r, region, stage: _each(
        [
            "logs:CreateLogGroup",
            "logs:PutRetentionPolicy",
            "logs:AssociateKmsKey",
            "logs:DeleteLogGroup",
            "logs:TagResource",
        ],
        f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{r['values']['name']}",
    ),
    "aws_sqs_queue": lambda r, region, stage: _each(
        [
            "sqs:CreateQueue",
            "sqs:SetQueueAttributes",
            "sqs:GetQueueAttributes",
            "sqs:DeleteQueue",
            "sqs:TagQueue",
        ],
        f"arn:aws:sqs:{region}:{ACCOUNT}:{r['values']['name']}",
    ),
    "aws_sqs_queue_policy": lambda r, region, stage: _each(
        ["sqs:SetQueueAttributes", "sqs:GetQueueAttributes"],
        f"arn:aws:sqs:{region}:{ACCOUNT}:bbws-order-{r.get('index', 'queue')}",
    ),
    "aws_sqs_queue_redrive_allow_policy": lambda r, region, stage: _each(
        ["sqs:SetQueueAttributes", "sqs:GetQueueAttributes"],
        f"arn:aws:sqs:{region}:{ACCOUNT}:bbws-order-{r.get('index', 'queue')}",
    ),
    "aws_sns_topic": lambda r, region, stage: _each(
        [
            "sns:CreateTopic",
            "sns:SetTopicAttributes",
            "sns:GetTopicAttributes",
            "sns:DeleteTopic",
            "sns:TagResource",
        ],
        f"arn:aws:sns:{region}:{ACCOUNT}:{r['values']['name']}",
    ),
    "aws_sns_topic_subscription": lambda r, region, stage: _each(
        ["sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes"],
        f"arn:aws:sns:{region}:{ACCOUNT}:"
        + (
            f"bbws-alerts-{stage}"
            if ".monitoring" in r["address"]
            else f"bbws-order-events-{stage}"
        )
        + ":subscription-id",
    ),
    "aws_dynamodb_table": lambda r, region, stage: _each(
        [
            "dynamodb:CreateTable",
            "dynamodb:UpdateTable",
            "dynamodb:DescribeTable",
            "dynamodb:UpdateContinuousBackups",
            "dynamodb:UpdateTimeToLive",
            "dynamodb:TagResource",
            "dynamodb:CreateTableReplica",
            "dynamodb:DeleteTable",
        ],
        f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{r['values']['name']}",
    ),
    "aws_s3_bucket": lambda r, region, stage: _each(
        ["s3:CreateBucket", "s3:DeleteBucket", "s3:GetBucketTagging", "s3:PutBucketTagging"],
        f"arn:aws:s3:::{r['values']['bucket']}",
    ),
    "aws_s3_bucket_versioning": _s3("s3:PutBucketVersioning", "s3:GetBucketVersioning"),
    "aws_s3_bucket_public_access_block": _s3("s3:PutBucketPublicAccessBlock"),
    "aws_s3_bucket_policy": _s3(
        "s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"
    ),
    "aws_s3_bucket_ownership_controls": _s3("s3:PutBucketOwnershipControls"),
    "aws_s3_bucket_server_side_encryption_configuration": _s3("s3:PutEncryptionConfiguration"),
    "aws_s3_bucket_lifecycle_configuration": _s3("s3:PutLifecycleConfiguration"),
    "aws_s3_bucket_replication_configuration": lambda r, region, stage: [
        *_s3("s3:PutReplicationConfiguration", "s3:GetReplicationConfiguration")(r, region, stage),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/bbws-order-s3-replication-{stage}"),
    ],
    "aws_s3_object": lambda r, region, stage: _each(
        ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
        f"arn:aws:s3:::bbws-email-templates-{stage}/{r['values']['key']}",
    ),
    "aws_iam_role": lambda r, region, stage: _each(
        ["iam:CreateRole", "iam:GetRole", "iam:DeleteRole", "iam:TagRole"],
        f"arn:aws:iam::{ACCOUNT}:role/{r['values']['name']}",
    ),
    "aws_iam_role_policy": lambda r, region, stage: _each(
        ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"], _role_of(r, stage)
    ),
    "aws_iam_role_policy_attachment": lambda r, region, stage: _each(
        ["iam:AttachRolePolicy", "iam:DetachRolePolicy"], _role_of(r, stage)
    ),
    # Keys are named by id: created only with, and managed only by, the Service tag (conditions).
    "aws_kms_key": lambda r, region, stage: _each(
        [
            "kms:CreateKey",
            "kms:EnableKeyRotation",
            "kms:PutKeyPolicy",
            "kms:DescribeKey",
            "kms:ScheduleKeyDeletion",
        ],
        "*",
    ),
    "aws_kms_alias": lambda r, region, stage: _each(
        ["kms:CreateAlias", "kms:DeleteAlias"],
        f"arn:aws:kms:{region}:{ACCOUNT}:{r['values']['name']}",
    ),
    "aws_api_gateway_rest_api": _api("/restapis"),
    "aws_api_gateway_deployment": _api("/restapis/id/deployments"),
    "aws_api_gateway_stage": _api("/restapis/id/stages/{stage_name}"),
    "aws_api_gateway_method_settings": _api("/restapis/id/stages/{stage_name}"),
    "aws_api_gateway_domain_name": _api("/domainnames/{domain_name}"),
    "aws_api_gateway_base_path_mapping": _api("/domainnames/{domain_name}/basepathmappings"),
    "aws_wafv2_web_acl": lambda r, region, stage: _each(
        [
            "wafv2:CreateWebACL",
            "wafv2:UpdateWebACL",
            "wafv2:GetWebACL",
            "wafv2:DeleteWebACL",
            "wafv2:TagResource",
        ],
        f"arn:aws:wafv2:{region}:{ACCOUNT}:regional/webacl/{r['values']['name']}/id",
    ),
    "aws_wafv2_ip_set": lambda r, region, stage: _each(
        ["wafv2:CreateIPSet", "wafv2:UpdateIPSet", "wafv2:GetIPSet", "wafv2:DeleteIPSet"],
        f"arn:aws:wafv2:{region}:{ACCOUNT}:regional/ipset/{r['values']['name']}/id",
    ),
    "aws_wafv2_web_acl_association": lambda r, region, stage: [
        *_each(["wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"], _webacl(region, stage)),
        ("wafv2:AssociateWebACL", _apigw(region, "/restapis/id/stages/v1")),
    ],
    "aws_wafv2_web_acl_logging_configuration": lambda r, region, stage: [
        *_each(
            ["wafv2:PutLoggingConfiguration", "wafv2:DeleteLoggingConfiguration"],
            _webacl(region, stage),
        ),
        *_each(["logs:CreateLogDelivery", "logs:PutResourcePolicy"], "*"),
    ],
    "aws_cloudwatch_metric_alarm": lambda r, region, stage: _each(
        ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms"],
        f"arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:{r['values']['alarm_name']}",
    ),
    "aws_cloudwatch_dashboard": lambda r, region, stage: _each(
        ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"],
        f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/{r['values']['dashboard_name']}",
    ),
    "aws_secretsmanager_secret": lambda r, region, stage: _each(
        [
            "secretsmanager:CreateSecret",
            "secretsmanager:DescribeSecret",
            "secretsmanager:DeleteSecret",
            "secretsmanager:ReplicateSecretToRegions",
        ],
        f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{r['values']['name']}-AbCdEf",
    ),
    "aws_secretsmanager_secret_version": lambda r, region, stage: _each(
        ["secretsmanager:PutSecretValue"],
        f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:bbws-order-cursor-key-{stage}-AbCdEf",
    ),
    "aws_route53_record": lambda r, region, stage: _each(
        ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
        f"arn:aws:route53:::hostedzone/{r['values']['zone_id']}",
    ),
    "aws_route53_health_check": lambda r, region, stage: _each(
        ["route53:CreateHealthCheck", "route53:UpdateHealthCheck", "route53:DeleteHealthCheck"],
        "arn:aws:route53:::healthcheck/id",
    ),
    "aws_budgets_budget": lambda r, region, stage: _each(
        ["budgets:ModifyBudget", "budgets:ViewBudget"],
        f"arn:aws:budgets::{ACCOUNT}:budget/{r['values']['name']}",
    ),
    "aws_backup_vault": lambda r, region, stage: [
        *_each(
            ["backup:CreateBackupVault", "backup:DescribeBackupVault", "backup:DeleteBackupVault"],
            f"arn:aws:backup:{region}:{ACCOUNT}:backup-vault:{r['values']['name']}",
        ),
        ("backup-storage:MountCapsule", "*"),
    ],
    "aws_backup_plan": lambda r, region, stage: _each(
        [
            "backup:CreateBackupPlan",
            "backup:UpdateBackupPlan",
            "backup:GetBackupPlan",
            "backup:DeleteBackupPlan",
        ],
        f"arn:aws:backup:{region}:{ACCOUNT}:backup-plan:id",
    ),
    "aws_backup_selection": lambda r, region, stage: [
        *_each(
            [
                "backup:CreateBackupSelection",
                "backup:GetBackupSelection",
                "backup:DeleteBackupSelection",
            ],
            f"arn:aws:backup:{region}:{ACCOUNT}:backup-plan:id",
        ),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/bbws-order-lambda-{stage}-backup"),
    ],
}


def region_of(address: str, stage: str) -> str:
    standby = re.match(r"module\.\w+_dr(_direct)?\.", address)
    return "eu-west-1" if standby else PRIMARY_REGIONS[stage]


@needs_terraform
@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_the_deploy_role_may_build_every_planned_resource(
    plans: dict[str, Any], stage: str
) -> None:
    from tests.infrastructure.conftest import resources

    policy = statements(*DEPLOY_POLICIES)
    unknown, refused = set(), []
    planned = [r for r in resources(plans[stage]) if r.get("mode", "managed") == "managed"]
    for resource in planned:
        rule = RULES.get(resource["type"])
        if rule is None:
            unknown.add(resource["type"])
            continue
        for action, arn in rule(resource, region_of(resource["address"], stage), stage):
            if not allowed(policy, action, arn):
                refused.append(f"{resource['address']}: {action} on {arn}")
    assert not unknown, f"new resource types: extend the deploy role's policy and RULES: {unknown}"
    assert not refused, "the deploy role could not:\n" + "\n".join(refused)
    assert len(planned) > 100


@needs_terraform
@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_every_role_carries_the_boundary_and_every_record_is_an_api_name(
    plans: dict[str, Any], stage: str
) -> None:
    from tests.infrastructure.conftest import of_type

    plan = plans[stage]
    roles = [r["values"] for r in of_type(plan, "aws_iam_role")]
    assert len(roles) >= 6
    account = plan["variables"]["account_id"]["value"]
    for role in roles:
        assert role["name"].startswith("bbws-order-"), role["name"]
        assert role["permissions_boundary"] == f"arn:aws:iam::{account}:policy/bbws-order-boundary"
    policy = statements(*DEPLOY_POLICIES)
    [records] = [s for s in policy if s["Sid"] == "OnlyTheApiRecords"]
    names = records["Condition"]["ForAllValues:StringLike"][
        "route53:ChangeResourceRecordSetsNormalizedRecordNames"
    ]
    for record in of_type(plan, "aws_route53_record"):
        assert any(fnmatchcase(record["values"]["name"], n) for n in names), record["values"][
            "name"
        ]
