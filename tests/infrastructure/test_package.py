"""`make package`: what scripts/package.py fixes in Chalice's Terraform, and what it refuses."""

from __future__ import annotations

import json
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest

from chalicelib import topology
from scripts import package
from tests.infrastructure.conftest import ENVIRONMENTS, generated

CONFIG = json.loads((Path(__file__).resolve().parents[2] / ".chalice" / "config.json").read_text())
FUNCTIONS = tuple(CONFIG["lambda_functions"])


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_the_generated_functions_follow_the_requirements(workspace: Path, stage: str) -> None:
    doc = generated(workspace, stage)
    functions = doc["resource"]["aws_lambda_function"]
    assert set(functions) == set(FUNCTIONS)
    for name, function in functions.items():
        settings = CONFIG["lambda_functions"][name]
        kebab = name.replace("_", "-")  # requirements section 4.2
        assert function["function_name"] == f"bbws-order-lambda-{kebab}-{stage}"
        assert function["runtime"] == "python3.12"
        assert function["architectures"] == ["arm64"]
        assert function["memory_size"] == settings["lambda_memory_size"]
        assert function["timeout"] == settings["lambda_timeout"]
        assert function["role"] == f'${{var.function_role_arns["{name}"]}}'
        assert function["kms_key_arn"] == "${var.kms_key_arn}"
        assert function["tracing_config"] == {"mode": "Active"}
        assert function["logging_config"]["log_group"] == (
            f"${{aws_cloudwatch_log_group.{name}.name}}"
        )
        group = doc["resource"]["aws_cloudwatch_log_group"][name]
        assert group["name"] == f"/aws/lambda/bbws-order-lambda-{kebab}-{stage}"
        assert group["retention_in_days"] == "${var.log_retention_days}"
    environment = doc["locals"]["stage_environment"]
    assert environment["APP_ENV"] == stage
    assert environment["ORDERS_TABLE_NAME"] == f"bbws-customer-portal-orders-{stage}"
    assert "AUTH_MODE" not in environment  # API Gateway's authorizer is the only one (ADR 0012)


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_every_sqs_mapping_reads_its_terraform_queue_and_reports_partial_failures(
    workspace: Path, stage: str
) -> None:
    mappings = generated(workspace, stage)["resource"]["aws_lambda_event_source_mapping"]
    assert len(mappings) == len(topology.CONSUMERS) + 1  # and the stream's
    by_function = {
        re.search(r"aws_lambda_function\.(\w+)\.arn", m["function_name"]).group(1): m  # type: ignore[union-attr]
        for m in mappings.values()
    }
    for consumer in topology.CONSUMERS:
        mapping = by_function[consumer.function]
        assert mapping["event_source_arn"] == f'${{var.queue_arns["{consumer.function}"]}}'
        assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
        assert mapping["batch_size"] == consumer.batch_size
        assert mapping["maximum_batching_window_in_seconds"] == consumer.batching_window_s
        assert mapping["scaling_config"] == {"maximum_concurrency": consumer.max_concurrency}


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_the_stream_mapping_reads_the_tables_stream_and_gives_up_to_its_dlq(
    workspace: Path, stage: str
) -> None:
    stream = topology.ORDER_STATUS_STREAM
    [mapping] = [
        m
        for m in generated(workspace, stage)["resource"]["aws_lambda_event_source_mapping"].values()
        if m["function_name"] == f"${{aws_lambda_function.{stream.function}.arn}}"
    ]
    assert mapping == {
        "event_source_arn": "${var.orders_stream_arn}",  # never the placeholder app.py has
        "function_name": f"${{aws_lambda_function.{stream.function}.arn}}",
        "batch_size": stream.batch_size,
        "starting_position": "LATEST",
        "maximum_batching_window_in_seconds": stream.batching_window_s,
        "function_response_types": ["ReportBatchItemFailures"],
        "bisect_batch_on_function_error": True,
        "maximum_retry_attempts": stream.maximum_retry_attempts,
        "maximum_record_age_in_seconds": stream.maximum_record_age_s,
        "destination_config": {
            "on_failure": {"destination_arn": "${var.stream_failure_queue_arn}"}
        },
        "filter_criteria": {
            "filter": [{"pattern": json.dumps(stream.filter_pattern, sort_keys=True)}]
        },
    }
    assert json.loads(mapping["filter_criteria"]["filter"][0]["pattern"]) == {
        "eventName": ["MODIFY"],  # no insert (OrderCreated covers a new order), no removal
        "dynamodb": {"NewImage": {"entityType": {"S": ["ORDER"]}}},  # orders only
    }


def test_the_layer_keeps_only_the_locale_data_en_za_needs(tmp_path: Path) -> None:
    data = "babel/locale-data/"
    layer = _layer(
        tmp_path,
        {
            "babel/__init__.py": b"",
            "babel/global.dat": b"g",
            **{f"{data}{name}.dat": b"x" * 1000 for name in ("root", "en", "en_001", "en_ZA")},
            **{f"{data}{name}.dat": b"y" * 1000 for name in ("fr", "zu_ZA", "af", "en_GB")},
            f"{data}LICENSE.unicode": b"license",
        },
    )
    assert package.trim_layer(layer) > 0
    with zipfile.ZipFile(layer) as archive:
        kept = {n.removeprefix("python/lib/python3.12/site-packages/") for n in archive.namelist()}
    assert kept == {
        "babel/__init__.py",
        "babel/global.dat",
        f"{data}LICENSE.unicode",
        *(f"{data}{name}.dat" for name in ("root", "en", "en_001", "en_ZA")),
    }


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_chalices_pins_and_null_provider_are_gone(workspace: Path, stage: str) -> None:
    doc = generated(workspace, stage)
    text = json.dumps(doc)
    assert "terraform" not in doc
    assert "null_data_source" not in text
    assert "< 1.4" not in text
    assert "< 5" not in text
    versions = (
        workspace / "infrastructure/environments" / stage / "service/versions.tf"
    ).read_text()
    assert 'version = ">= 5.88, < 6"' in versions


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_api_gateway_errors_are_problem_json_and_the_stage_is_explicit(
    workspace: Path, stage: str
) -> None:
    doc = generated(workspace, stage)
    swagger = json.loads(doc["locals"]["chalice_api_swagger"])
    responses = swagger["x-amazon-apigateway-gateway-responses"]
    for kind, status in (("UNAUTHORIZED", 401), ("ACCESS_DENIED", 403), ("THROTTLED", 429)):
        response = responses[kind]
        assert response["statusCode"] == str(status)
        headers = response["responseParameters"]
        assert headers["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
        # CORS on the authorizer's errors too: the stage's portal (the variable's first origin).
        assert headers["gatewayresponse.header.Access-Control-Allow-Origin"] == (
            "'${var.cors_allowed_origins[0]}'"
        )
        assert headers["gatewayresponse.header.Vary"] == "'Origin'"
        challenge = headers.get("gatewayresponse.header.WWW-Authenticate")
        assert challenge == (""" 'Bearer realm="bbws-order"' """.strip() if status == 401 else None)
        body = response["responseTemplates"]["application/json"]
        rendered = json.loads(
            body.replace("$context.error.messageString", '"Unauthorized"').replace(
                "$context.requestId", "r-1"
            )
        )
        assert rendered["status"] == status
        assert rendered["detail"] == "Unauthorized"
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)
    authorizer = swagger["securityDefinitions"]["CognitoUserPool"]["x-amazon-apigateway-authorizer"]
    assert authorizer["providerARNs"] == ["${var.cognito_user_pool_arn}"]
    [deployment] = doc["resource"]["aws_api_gateway_deployment"].values()
    assert "stage_name" not in deployment
    assert deployment["triggers"] == {"redeployment": "${sha1(local.chalice_api_swagger)}"}
    assert doc["resource"]["aws_api_gateway_rest_api"]["rest_api"]["name"] == (
        f"bbws-order-api-{stage}"  # requirements section 3.5
    )


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_the_topology_outputs_come_from_topology_py(workspace: Path, stage: str) -> None:
    path = workspace / "infrastructure/environments" / stage / "service/topology.tf.json"
    outputs = json.loads(path.read_text())["output"]
    consumers = outputs["consumers"]["value"]
    assert set(consumers) == {c.function for c in topology.CONSUMERS}
    pdf = consumers["order_pdf_creator"]
    assert pdf["queue_name"] == f"bbws-order-pdf-{stage}"
    assert pdf["dlq_name"] == f"bbws-order-pdf-dlq-{stage}"
    assert pdf["visibility_timeout_seconds"] == 6 * 60
    assert pdf["max_receive_count"] == 3
    assert consumers["order_creator_record"]["fed_by_topic"] is False
    assert (
        outputs["function_names"]["value"]["api_handler"]
        == f"bbws-order-lambda-api-handler-{stage}"
    )


def test_packaging_refuses_another_python() -> None:
    with pytest.raises(package.PackagingError, match=r"needs Python 3\.12.*this is 3\.11"):
        package.require_runtime_python((3, 11))
    package.require_runtime_python((3, 12))


def test_packaging_refuses_an_unknown_stage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        package.main(["--stage", "qa"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'qa'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("tag", "fits"),
    [
        ("py3-none-any", True),
        ("cp312-cp312-manylinux_2_17_aarch64", True),
        ("cp312-cp312-manylinux2014_aarch64", True),
        ("cp38-abi3-manylinux_2_28_aarch64", True),
        ("cp312-cp312-manylinux_2_39_aarch64", False),  # newer glibc than Amazon Linux 2023
        ("cp312-cp312-manylinux_2_17_x86_64", False),
        ("cp311-cp311-manylinux_2_17_aarch64", False),
        ("cp312-cp312-macosx_11_0_arm64", False),
    ],
)
def test_wheel_tags_are_judged_for_lambda_arm64(tag: str, fits: bool) -> None:
    assert package._tag_fits(tag) is fits


def _elf(machine: int) -> bytes:
    return b"\x7fELF" + bytes(14) + struct.pack("<H", machine) + bytes(44)


def _layer(tmp_path: Path, files: dict[str, bytes]) -> Path:
    path = tmp_path / "layer.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"python/lib/python3.12/site-packages/{name}", data)
    return path


def test_a_layer_built_for_the_wrong_machine_fails_loudly(tmp_path: Path) -> None:
    layer = _layer(
        tmp_path,
        {
            "good-1.0.dist-info/WHEEL": b"Tag: cp312-cp312-manylinux2014_aarch64\n",
            "good-1.0.dist-info/METADATA": b"",
            "good/_speedups.cpython-312-aarch64-linux-gnu.so": _elf(package.ELF_AARCH64),
            "bad-2.0.dist-info/WHEEL": b"Tag: cp312-cp312-manylinux_2_17_x86_64\n",
            "bad-2.0.dist-info/METADATA": b"",
            "bad/_native.cpython-312-x86_64-linux-gnu.so": _elf(62),
        },
    )
    problems = package.incompatible_contents(layer)
    assert problems == [
        "bad-2.0.dist-info: wheel tags ['cp312-cp312-manylinux_2_17_x86_64']",
        "python/lib/python3.12/site-packages/bad/_native.cpython-312-x86_64-linux-gnu.so: "
        "not an aarch64 shared object",
    ]
    assert package.missing_requirements(layer, ["good==1.0", "Bad==2.0  # note", "absent>=1"]) == [
        "absent"
    ]


def test_chalices_own_warning_fails_the_package(tmp_path: Path) -> None:
    layer = _layer(tmp_path, {})
    with pytest.raises(package.PackagingError, match="Could not install dependencies"):
        package.check_layer(layer, "Could not install dependencies:\nsomething==1.0\n")


def test_the_fixes_refuse_what_they_do_not_understand() -> None:
    doc: dict[str, Any] = {
        "resource": {
            "aws_lambda_function": {"a": {"environment": {"variables": {"X": "1"}}}},
            "aws_lambda_event_source_mapping": {"m": {"function_name": "arn:aws:lambda:x"}},
        }
    }
    with pytest.raises(package.PackagingError, match="unexpected event source target"):
        package.point_event_sources_at_queues(doc)
    mapping = {
        "function_name": "${aws_lambda_function.a.arn}",
        "event_source_arn": topology.STREAM_ARN_PLACEHOLDER,
    }
    doc["resource"]["aws_lambda_event_source_mapping"] = {"m": mapping}
    with pytest.raises(package.PackagingError, match="only order_status_stream"):
        package.point_event_sources_at_queues(doc)
    doc["resource"]["aws_lambda_function"]["b"] = {"environment": {"variables": {"X": "2"}}}
    with pytest.raises(package.PackagingError, match="different environments"):
        package.share_environment(doc)


# What Lambda runs: the app, its runtime modules and templates, and Chalice's own runtime (which
# `chalice package` vendors as chalice/app.py). Nothing else belongs in the deploy artefact.
DEPLOYABLE = re.compile(
    r"app\.py|chalice/(__init__|app)\.py|chalicelib/(\w+/)*\w+\.py|chalicelib/templates/[\w/]+\.(html|txt)"
    r"|chalicelib/fonts/[\w.-]+\.(ttf|txt|md)"
)


def _repository_runtime_files() -> set[str]:
    root = Path(__file__).resolve().parents[2]
    return {
        path.relative_to(root).as_posix()
        for path in (root / "chalicelib").rglob("*")
        if path.is_file()
        and path.suffix in {".py", ".html", ".txt", ".ttf", ".md"}
        and "__pycache__" not in path.parts
    } | {"app.py"}


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_the_deployment_zip_holds_the_runtime_and_nothing_else(workspace: Path, stage: str) -> None:
    zipped = workspace / "infrastructure" / "environments" / stage / "service" / "deployment.zip"
    with zipfile.ZipFile(zipped) as archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
    strays = [name for name in names if not DEPLOYABLE.fullmatch(name)]
    assert strays == [], f"not runtime code, yet deployed: {strays}"
    for tool in ("devstack/", "orderctl/", "scripts/", "benchmarks/", "tests/", "openapi"):
        assert not any(tool in name for name in names), f"{tool} is in the deployment zip"
    # ...and every runtime module is there: the artefact is the code that was reviewed.
    assert set(names) - {"chalice/__init__.py", "chalice/app.py"} == _repository_runtime_files()


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_every_path_answers_its_cors_preflight_in_the_function_without_a_token(
    workspace: Path, stage: str
) -> None:
    swagger = json.loads(generated(workspace, stage)["locals"]["chalice_api_swagger"])
    for path, operations in swagger["paths"].items():
        options = operations["options"]  # not API Gateway's mock: the origin is checked by the app
        assert "security" not in options, path
        assert options["x-amazon-apigateway-integration"]["type"] == "aws_proxy", path
