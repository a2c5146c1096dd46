"""`make package STAGE=dev|sit|prod`: Chalice's Terraform, fixed, as the stage's `service` module.

`chalice package --pkg-format terraform` gets a few things wrong for this service; each fix below
is a pure function over the generated JSON, tested in `tests/infrastructure/test_package.py`
(docs/adr/0007-packaging-chalice-for-terraform.md):

- pins Terraform `< 1.4` and the AWS provider `< 5`, and needs the `null` provider for one
  deprecated data source → pins dropped (the module's `versions.tf` pins AWS `>= 5.32, < 6`),
  `null_data_source` removed;
- names functions `{app}-{stage}-{function}` → `bbws-order-lambda-{function}-{env}` in kebab-case
  (`bbws-order-lambda-order-creator-record-dev`) and the API `bbws-order-api-{env}`;
- builds SQS event source ARNs from the queue *name* → the Terraform-managed queue ARNs
  (`var.queue_arns`), with `function_response_types = ["ReportBatchItemFailures"]`;
- takes the DynamoDB stream ARN literally (app.py has a placeholder: the real one is known only
  once the table exists) → `var.orders_stream_arn`, with partial failures, bisection, bounded
  retries, the stream DLQ as on-failure destination, and an event filter (order MODIFYs only);
- no log groups (its own retention option crashes the packager) → one per function with
  retention and KMS, wired through `logging_config`;
- the deployment creates the stage implicitly (gone in provider 6) → a deployment redeployed
  on API changes and an explicit `aws_api_gateway_stage` (in `infrastructure/service/`);
- API Gateway's own 401/403/429/4xx/5xx are problem+json (`x-amazon-apigateway-gateway-responses`),
  with CORS headers naming the stage's portal;
- the stage's CORS origins are a Terraform variable (`var.cors_allowed_origins`, in each
  environment's tfvars), merged into every function's `CORS_ALLOWED_ORIGINS`.

The runtime and the wheels follow the interpreter that runs Chalice, so this refuses to run on
anything but Python 3.12 (the `python3.12` runtime), and fails if a dependency in the layer is
not built for Lambda's arm64 / Amazon Linux 2023.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from chalicelib import SERVICE_NAME, topology

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("dev", "sit", "prod", "sandbox")
# A sandbox is one package for any developer's id: its names end in the Terraform variable
# (`sbx-{id}`, docs/sandbox.md), as its .chalice/config.json stage's resource names do.
SANDBOX = "sandbox"
ENVIRONMENT_REFERENCE = "${var.environment}"
RUNTIME = (3, 12)
APP_NAME = SERVICE_NAME
API_NAME = "bbws-order-api"  # the REST API's name (requirements section 3.5)
GLIBC_OF_THE_RUNTIME = (2, 34)  # Amazon Linux 2023, which runs python3.12
ELF_AARCH64 = 183
COGNITO_ARN_REFERENCE = "${var.cognito_user_pool_arn}"
# The stage's portal (its first CORS origin, a Terraform variable): API Gateway's own errors.
PORTAL_ORIGIN_REFERENCE = "${var.cors_allowed_origins[0]}"
GATEWAY_RESPONSES: dict[str, tuple[int | None, str]] = {
    "UNAUTHORIZED": (401, "Unauthorized"),
    "ACCESS_DENIED": (403, "Forbidden"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Forbidden"),
    "THROTTLED": (429, "Too Many Requests"),
    "QUOTA_EXCEEDED": (429, "Too Many Requests"),
    "REQUEST_TOO_LARGE": (413, "Content Too Large"),
    "DEFAULT_4XX": (None, "Bad Request"),
    "DEFAULT_5XX": (None, "Internal Server Error"),
}


# checkov reads skip comments from a "//" member (Terraform JSON's comment) of the resource.
LAMBDA_CHECKOV_SKIPS = (
    "checkov:skip=CKV_AWS_116:Never invoked asynchronously: API Gateway calls it synchronously "
    "and SQS event source mappings poll it; failed messages go to each queue's DLQ.",
    "checkov:skip=CKV_AWS_117:Calls only AWS APIs (DynamoDB, SQS, SNS, S3, SES, Secrets Manager) "
    "over TLS; a VPC would add NAT or endpoints and cold-start latency for no private resource.",
    "checkov:skip=CKV_AWS_115:Concurrency is capped where it matters: the event source mappings' "
    "maximum_concurrency and the API stage throttle; reserving it would shrink the account pool.",
    "checkov:skip=CKV_AWS_272:Artefacts are built by CI from the reviewed commit and deployed "
    "from its saved plan; AWS Signer code signing is a planned addition to the pipeline.",
)


class PackagingError(RuntimeError):
    """Packaging cannot produce a deployable module; the message says why."""


def name_suffix(stage: str) -> str:
    """What the stage's names end in: the stage, or for the sandbox the Terraform variable."""
    return ENVIRONMENT_REFERENCE if stage == SANDBOX else stage


def function_name(function: str, stage: str) -> str:
    """The deployed name of one of the app's functions: kebab-case (requirements section 4.2)."""
    return topology.deployed_function_name(function, name_suffix(stage))


def require_runtime_python(version: tuple[int, int] = sys.version_info[:2]) -> None:
    """Refuse to package with an interpreter other than the Lambda runtime's."""
    if tuple(version) != RUNTIME:
        raise PackagingError(
            f"packaging needs Python {RUNTIME[0]}.{RUNTIME[1]} (the Lambda runtime); this is "
            f"{version[0]}.{version[1]}. Recreate the venv with it: make clean && make package"
        )


# --- the fixes, one function each -------------------------------------------------------------


def drop_pins_and_null_provider(doc: dict[str, Any]) -> None:
    """Remove Chalice's `terraform` block and its `null_data_source` (versions.tf pins instead)."""
    doc.pop("terraform", None)
    data = doc.get("data", {})
    data.pop("null_data_source", None)


def rename_functions(doc: dict[str, Any], stage: str) -> None:
    """`bbws-order-lambda-{function}-{env}` for each function; `bbws-order-api-{env}`, the API."""
    for resource_name, function in doc["resource"]["aws_lambda_function"].items():
        function["function_name"] = function_name(resource_name, stage)
    for api in doc["resource"].get("aws_api_gateway_rest_api", {}).values():
        api["name"] = f"{API_NAME}-{name_suffix(stage)}"
    for layer in doc["resource"].get("aws_lambda_layer_version", {}).values():
        layer["layer_name"] = f"{APP_NAME}-dependencies-{name_suffix(stage)}"


def share_environment(doc: dict[str, Any]) -> None:
    """One environment for every function: the stage's, merged with Terraform's own values."""
    functions = doc["resource"]["aws_lambda_function"]
    environments = {
        json.dumps(f.get("environment", {}).get("variables", {}), sort_keys=True)
        for f in functions.values()
    }
    if len(environments) != 1:
        raise PackagingError("functions have different environments; share_environment needs one")
    doc.setdefault("locals", {})["stage_environment"] = json.loads(environments.pop())
    for function in functions.values():
        function["environment"] = {
            "variables": "${merge(local.stage_environment, var.lambda_environment, "
            '{ CORS_ALLOWED_ORIGINS = join(",", var.cors_allowed_origins) })}'
        }
        function["kms_key_arn"] = "${var.kms_key_arn}"
        function["//"] = " ".join(LAMBDA_CHECKOV_SKIPS)


def add_log_groups(doc: dict[str, Any]) -> None:
    """A log group per function with retention and KMS, and the function logging to it."""
    groups = doc["resource"].setdefault("aws_cloudwatch_log_group", {})
    for resource_name, function in doc["resource"]["aws_lambda_function"].items():
        groups[resource_name] = {
            "name": f"/aws/lambda/{function['function_name']}",
            "retention_in_days": "${var.log_retention_days}",
            "kms_key_id": "${var.kms_key_arn}",
        }
        function["logging_config"] = {
            "log_format": "Text",
            "log_group": f"${{aws_cloudwatch_log_group.{resource_name}.name}}",
        }


def point_event_sources_at_queues(doc: dict[str, Any]) -> None:
    """Each SQS mapping reads the Terraform-managed queue by ARN and reports partial failures.

    The stream mapping reads the table module's stream (app.py only knows a placeholder), with
    Lambda's stream error handling: partial failures by sequence number, bisecting a failing
    batch, bounded retries and record age, and an on-failure destination (the stream DLQ).
    """
    sys.path.insert(0, str(ROOT))

    functions = doc["resource"]["aws_lambda_function"]
    stream = topology.ORDER_STATUS_STREAM
    for mapping in doc["resource"].get("aws_lambda_event_source_mapping", {}).values():
        match = re.fullmatch(r"\$\{aws_lambda_function\.(\w+)\.arn\}", mapping["function_name"])
        if not match or match.group(1) not in functions:
            raise PackagingError(f"unexpected event source target {mapping['function_name']!r}")
        function = match.group(1)
        mapping["function_response_types"] = ["ReportBatchItemFailures"]
        if mapping["event_source_arn"] != topology.STREAM_ARN_PLACEHOLDER:
            mapping["event_source_arn"] = f'${{var.queue_arns["{function}"]}}'
            continue
        if function != stream.function:
            raise PackagingError(f"{function} reads the stream placeholder; only {stream.function}")
        mapping.update(
            {
                "event_source_arn": "${var.orders_stream_arn}",
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
        )


def problem_template(title: str, status: int | None) -> str:
    """A gateway response body: problem+json with API Gateway's message and request id."""
    status_member = f'"status":{status},' if status else ""
    return (
        f'{{"type":"about:blank","title":"{title}",{status_member}'
        '"detail":$context.error.messageString,"requestId":"$context.requestId"}'
    )


def problem_gateway_responses() -> dict[str, Any]:
    """API Gateway's own errors as RFC 9457 problem+json, like the app's.

    They carry CORS headers too, so a browser shows a 401 or 403 from the authorizer as a problem
    instead of a network error. A gateway response can only hold fixed values, so it names the
    stage's first listed origin, a Terraform variable (docs/adr/0017).
    """
    from chalicelib.api.cors import EXPOSE_HEADERS
    from chalicelib.api.problems import BEARER_CHALLENGE

    headers = {
        "Content-Type": "application/problem+json",
        "Cache-Control": "no-store",
        "Access-Control-Allow-Origin": PORTAL_ORIGIN_REFERENCE,
        "Access-Control-Expose-Headers": EXPOSE_HEADERS,
        "Vary": "Origin",
    }
    responses: dict[str, Any] = {}
    for kind, (status, title) in GATEWAY_RESPONSES.items():
        # A 401 names its scheme, as the app's own do (docs/api-decisions.md).
        challenge = {"WWW-Authenticate": BEARER_CHALLENGE} if status == 401 else {}
        response: dict[str, Any] = {
            "responseParameters": {
                f"gatewayresponse.header.{name}": f"'{value}'"
                for name, value in {**headers, **challenge}.items()
            },
            "responseTemplates": {"application/json": problem_template(title, status)},
        }
        if status:
            response["statusCode"] = str(status)
        responses[kind] = response
    return responses


def fix_rest_api(doc: dict[str, Any]) -> None:
    """Gateway responses in the API definition; a deployment without an implicit stage."""
    swagger = json.loads(doc["locals"]["chalice_api_swagger"])
    swagger["x-amazon-apigateway-gateway-responses"] = problem_gateway_responses()
    swagger["info"]["title"] = doc["resource"]["aws_api_gateway_rest_api"]["rest_api"]["name"]
    doc["locals"]["chalice_api_swagger"] = json.dumps(swagger, sort_keys=True)
    for api in doc["resource"]["aws_api_gateway_rest_api"].values():
        api["lifecycle"] = {"create_before_destroy": True}
    for deployment in doc["resource"]["aws_api_gateway_deployment"].values():
        deployment.pop("stage_name", None)
        deployment.pop("stage_description", None)
        deployment["triggers"] = {"redeployment": "${sha1(local.chalice_api_swagger)}"}
    doc.pop("output", None)  # outputs.tf names them, from the explicit stage


def fix(doc: dict[str, Any], stage: str) -> dict[str, Any]:
    """Every fix, in order; returns the same (mutated) document."""
    drop_pins_and_null_provider(doc)
    rename_functions(doc, stage)
    share_environment(doc)
    add_log_groups(doc)
    point_event_sources_at_queues(doc)
    fix_rest_api(doc)
    return doc


# --- the topology Terraform's messaging module builds ----------------------------------------


def consumers(stage: str, config: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Each SQS-triggered function's queue settings, from topology.py and the stage config."""
    sys.path.insert(0, str(ROOT))

    config = config or json.loads((ROOT / ".chalice" / "config.json").read_text())
    env = {**config["environment_variables"], **config["stages"][stage]["environment_variables"]}
    functions = config["lambda_functions"]
    return {
        c.function: {
            "queue_name": env[c.queue_env],
            "dlq_name": env[c.dlq_env],
            "visibility_timeout_seconds": topology.VISIBILITY_TIMEOUT_FACTOR
            * functions[c.function]["lambda_timeout"],
            "max_receive_count": topology.MAX_RECEIVE_COUNT,
            "fed_by_topic": c.fed_by_topic,
        }
        for c in topology.CONSUMERS
    }


def topology_module(stage: str) -> dict[str, Any]:
    """`topology.tf.json`: the consumers and the stage's resource names, as module outputs."""
    sys.path.insert(0, str(ROOT))

    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    env = config["stages"][stage]["environment_variables"]
    names = {
        "table": env["ORDERS_TABLE_NAME"],
        "events_topic": env["ORDER_EVENTS_TOPIC_NAME"],
        "orders_bucket": env["ORDERS_BUCKET_NAME"],
        "templates_bucket": env["TEMPLATES_BUCKET_NAME"],
        "cursor_secret": env["CURSOR_SECRET_ID"],
        "email_sender": env["EMAIL_SENDER"],
        "stream_dlq": env[topology.ORDER_STATUS_STREAM.dlq_env],
    }
    return {
        "output": {
            "consumers": {
                "description": "Queue settings per SQS-triggered function (chalicelib/topology.py)",
                "value": consumers(stage, config),
            },
            "function_names": {
                "description": "Deployed name per function (constants: the iam module needs them "
                "before the functions exist)",
                "value": {f: function_name(f, stage) for f in config["lambda_functions"]},
            },
            "resource_names": {
                "description": "The stage's resource names (.chalice/config.json)",
                "value": names,
            },
        }
    }


# --- the wheel check ---------------------------------------------------------------------------

_MANYLINUX = re.compile(r"manylinux_(\d+)_(\d+)_aarch64|manylinux2014_aarch64")


def _tag_fits(tag: str) -> bool:
    python, abi, platform = tag.split("-")
    if platform == "any":
        return True
    interpreter_ok = python in {"cp312", "py3"} or (abi == "abi3" and python.startswith("cp3"))
    match = _MANYLINUX.fullmatch(platform)
    if not (interpreter_ok and match):
        return False
    if match.group(1) is None:  # manylinux2014 = glibc 2.17
        return True
    return (int(match.group(1)), int(match.group(2))) <= GLIBC_OF_THE_RUNTIME


def incompatible_contents(layer_zip: Path) -> list[str]:
    """What in the dependency layer would not load on Lambda arm64 / python3.12."""
    problems = []
    with zipfile.ZipFile(layer_zip) as archive:
        for name in archive.namelist():
            base = name.rsplit("/", 1)[-1]
            if name.endswith(".dist-info/WHEEL"):
                tags = [
                    line.split(":", 1)[1].strip()
                    for line in archive.read(name).decode().splitlines()
                    if line.startswith("Tag:")
                ]
                if not any(_tag_fits(t) for t in tags):
                    problems.append(f"{name.split('/')[-2]}: wheel tags {tags}")
            elif base.endswith(".so") or ".so." in base:
                header = archive.read(name)[:20]
                if header[:4] != b"\x7fELF" or struct.unpack("<H", header[18:20])[0] != ELF_AARCH64:
                    problems.append(f"{name}: not an aarch64 shared object")
    return problems


def missing_requirements(layer_zip: Path, requirements: Iterable[str]) -> list[str]:
    """Pinned runtime requirements that Chalice left out of the layer."""
    with zipfile.ZipFile(layer_zip) as archive:
        present = {
            re.sub(
                r"[-_.]+", "-", n.split("/")[-2].removesuffix(".dist-info").rsplit("-", 1)[0]
            ).lower()
            for n in archive.namelist()
            if n.endswith(".dist-info/METADATA")
        }
    wanted = []
    for line in requirements:
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            name = re.split(r"[=<>!~\[; ]", requirement)[0]
            wanted.append(re.sub(r"[-_.]+", "-", name).lower())
    return [w for w in wanted if w not in present]


def check_layer(layer_zip: Path, chalice_output: str) -> None:
    """Fail loudly where Chalice only warns."""
    problems = []
    if "Could not install dependencies" in chalice_output:
        problems.append("chalice could not install some dependencies:\n" + chalice_output)
    problems += incompatible_contents(layer_zip)
    requirements = (ROOT / "requirements.txt").read_text().splitlines()
    missing = missing_requirements(layer_zip, requirements)
    problems += [f"{name}: missing from the layer" for name in missing]
    if problems:
        raise PackagingError(
            "the dependency layer is not Lambda-compatible (arm64, python3.12); pin a version "
            "with a manylinux aarch64 wheel:\n  " + "\n  ".join(problems)
        )


# --- trimming the layer --------------------------------------------------------------------------

BABEL_LOCALE_DATA = "python/lib/python3.12/site-packages/babel/locale-data/"
# en_ZA and the locales it inherits from (CLDR parent chain): what chalicelib/rendering uses.
KEPT_LOCALES = frozenset({"root", "en", "en_001", "en_ZA"})


def trimmed_away(name: str) -> bool:
    """Whether the layer leaves out this file (a path inside the layer, `python/lib/…`)."""
    locale = name.removeprefix(BABEL_LOCALE_DATA).removesuffix(".dat")
    return (
        name.startswith(BABEL_LOCALE_DATA) and name.endswith(".dat") and locale not in KEPT_LOCALES
    )


def trim_layer(layer_zip: Path) -> int:
    """Drop Babel's locale data except en_ZA's chain (about 30 MB of 1000+ locales); bytes saved."""
    before = layer_zip.stat().st_size
    trimmed = layer_zip.with_suffix(".trimmed.zip")
    with zipfile.ZipFile(layer_zip) as source, zipfile.ZipFile(trimmed, "w") as target:
        for info in source.infolist():
            if not trimmed_away(info.filename):
                target.writestr(info, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
    trimmed.replace(layer_zip)
    return before - layer_zip.stat().st_size


# --- the command ------------------------------------------------------------------------------


def drop_bytecode(root: Path = ROOT / "chalicelib") -> None:
    """Chalice zips `chalicelib/` as it finds it: compiled files a test run left would ship too."""
    for cache in root.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


def run_chalice(stage: str, out: Path) -> str:
    """`chalice package` for the stage; its combined output (for the wheel warnings)."""
    drop_bytecode()
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",  # chalice imports app.py: no new __pycache__ either
        "COGNITO_USER_POOL_ARN": COGNITO_ARN_REFERENCE,  # resolved by Terraform, per account
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "af-south-1"),
    }
    chalice = Path(sys.executable).with_name("chalice")
    result = subprocess.run(
        [str(chalice), "package", "--stage", stage, "--pkg-format", "terraform", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise PackagingError(f"chalice package failed ({result.returncode}):\n{output}")
    return output


def package(stage: str, environments: Path = ROOT / "infrastructure" / "environments") -> Path:
    """Build `environments/{stage}/service/`: the hand-written half plus Chalice's, fixed."""
    require_runtime_python()
    if stage not in STAGES:
        raise PackagingError(f"unknown stage {stage!r}: one of {', '.join(STAGES)}")
    target = environments / stage / "service"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "chalice"
        print(f"chalice package --stage {stage} (python3.12, arm64) …", flush=True)
        output = run_chalice(stage, out)
        check_layer(out / "layer-deployment.zip", output)
        trim_layer(out / "layer-deployment.zip")
        doc = fix(json.loads((out / "chalice.tf.json").read_text()), stage)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / "infrastructure" / "service", target, ignore=_not_terraform)
        (target / "topology.tf.json").write_text(
            json.dumps(topology_module(stage), indent=2) + "\n"
        )
        for name in ("deployment.zip", "layer-deployment.zip"):
            shutil.copy2(out / name, target / name)
        # Last: `make` takes this file's presence and age as "packaged and up to date".
        (target / "chalice.tf.json").write_text(json.dumps(doc, indent=2) + "\n")
    sizes = {p.name: p.stat().st_size for p in target.glob("*.zip")}
    print(
        f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
        + ", ".join(f"{n} {s / 1e6:.1f} MB" for n, s in sorted(sizes.items())),
        flush=True,
    )
    return target


def _not_terraform(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if not n.endswith(".tf")]


def main(argv: list[str] | None = None) -> int:
    """Command line: `python scripts/package.py --stage dev`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, choices=STAGES)
    args = parser.parse_args(argv)
    try:
        package(args.stage)
    except PackagingError as error:
        print(f"make package: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
