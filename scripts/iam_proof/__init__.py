"""The IAM proof: every AWS call the functions made is allowed by the policies Terraform built.

The dev stack records each function's calls (`devstack/aws_calls.py`, `LOCAL_AWS_CALL_LOG`).
`requests_for` turns one call into the IAM requests AWS authorises for it: the action, the
resource ARN, the condition keys (`dynamodb:LeadingKeys`, `aws:SourceArn`, `ses:FromAddress`,
…), the KMS use an encrypted queue, topic, bucket or secret implies, and, for a publish to the
fan-out topic, SNS's own delivery to each subscribed queue (queue policy and key policy).
`read_planned` reads the policies back from the modules applied to the emulator (identity
policy per role, queue, topic and bucket policies, key policies, secrets) and takes the
permissions boundary every role carries from `infrastructure/bootstrap`. `evaluate` runs them
through @cloud-copilot/iam-simulate (`scripts/iam/simulate.mjs`, ADR 0027).

`prove` answers with what was denied (each naming the call that needed it), what no mapping
knows (an unmapped call fails the proof rather than passing unseen), and every grant of every
role that no call used.
"""

from scripts.iam_proof.evaluation import Outcome, evaluate, simulation
from scripts.iam_proof.model import (
    BOUNDARY,
    ROLE_POLICY,
    Call,
    Planned,
    Request,
    Unmapped,
    load_calls,
)
from scripts.iam_proof.planned import read_planned
from scripts.iam_proof.proof import Proof, justification, prove, without_statement
from scripts.iam_proof.requests import requests_for

__all__ = [
    "BOUNDARY",
    "ROLE_POLICY",
    "Call",
    "Outcome",
    "Planned",
    "Proof",
    "Request",
    "Unmapped",
    "evaluate",
    "justification",
    "load_calls",
    "prove",
    "read_planned",
    "requests_for",
    "simulation",
    "without_statement",
]
