"""`webstack:compute`: the app tier, either ECS Fargate or an EC2 Auto Scaling group (`kind`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from config.base import PROD, ConfigModel, TierRule, at_least_in
from config.types import Port

# CPU units -> memory sizes (MiB) that Fargate accepts for them.
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Names that almost always carry a secret: such values belong in `secrets`, not in plain text.
_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL)", re.IGNORECASE)
_SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:.+|ssm:[a-z0-9-]+:\d{12}:parameter/.+)$"
)


class Architecture(StrEnum):
    """CPU architecture of the app tier; arm64 is Graviton, about 20% cheaper."""

    ARM64 = "arm64"
    X86_64 = "x86_64"


def _plain_environment(variables: dict[str, str]) -> dict[str, str]:
    for name in variables:
        if not _ENV_NAME.match(name):
            raise ValueError(f"{name!r} is not a valid environment variable name")
        if _SECRET_NAME.search(name):
            raise ValueError(f"{name} looks like a secret; put its Secrets Manager or SSM ARN under `secrets` instead")
    return variables


def _secret_references(references: dict[str, str]) -> dict[str, str]:
    for name, arn in references.items():
        if not _ENV_NAME.match(name):
            raise ValueError(f"{name!r} is not a valid environment variable name")
        if not _SECRET_ARN.match(arn):
            raise ValueError(f"{name}: {arn!r} is not a Secrets Manager secret or SSM parameter ARN")
    return references


def _is_pinned(image: str) -> bool:
    name = image.rsplit("/", 1)[-1]
    return "@sha256:" in image or (":" in name and not name.endswith(":latest"))


class AppConfig(ConfigModel):
    """What the app tier runs and how it scales, whichever compute kind carries it."""

    image: Annotated[
        str,
        AfterValidator(
            TierRule(PROD, _is_pinned, "a pinned tag or digest (not :latest)", "a prod deploy must be reproducible")
        ),
    ] = Field(
        default="public.ecr.aws/nginx/nginx:stable",
        pattern=r"^\S+$",
        description="Container image of the app. Pin a tag or digest in prod.",
    )
    container_port: Port = Field(default=80, description="Port the app listens on inside the container.")
    health_check_path: str = Field(
        default="/",
        pattern=r"^/\S*$",
        description="Path the load balancer requests; it must answer HTTP 200 without touching dependencies.",
    )
    desired_count: Annotated[int, at_least_in(PROD, 2, "one task or instance is a single point of failure")] = Field(
        ge=0, le=1000, description="Instances or tasks to run."
    )
    min_count: Annotated[int, at_least_in(PROD, 2, "scaling in must never leave a single AZ serving")] = Field(
        ge=0, le=1000, description="Lower bound for auto scaling."
    )
    max_count: int = Field(ge=1, le=1000, description="Upper bound for auto scaling.")
    cpu_target_percent: int = Field(
        default=60, ge=10, le=90, description="Average CPU utilisation that target tracking holds."
    )
    deregistration_delay_seconds: int = Field(
        default=30,
        ge=0,
        le=3600,
        description="How long the load balancer drains a target before removing it; short keeps deploys fast.",
    )
    environment: Annotated[dict[str, str], AfterValidator(_plain_environment)] = Field(
        default_factory=dict,
        description="Plain environment variables for the app. Names that look like secrets are rejected.",
    )
    secrets: Annotated[dict[str, str], AfterValidator(_secret_references)] = Field(
        default_factory=dict,
        description="Environment variables filled from Secrets Manager or SSM at start: name -> ARN.",
    )

    def problems(self) -> Iterator[tuple[str, str]]:
        if self.min_count > self.max_count:
            yield "min_count", f"{self.min_count} is above compute.maxCount ({self.max_count})"
        elif not self.min_count <= self.desired_count <= self.max_count:
            yield (
                "desired_count",
                f"{self.desired_count} must be between compute.minCount ({self.min_count}) "
                f"and compute.maxCount ({self.max_count})",
            )
        overlap = sorted(set(self.environment) & set(self.secrets))
        if overlap:
            yield "secrets", f"{', '.join(overlap)} set both as a plain variable and as a secret; keep one"


class FargateConfig(AppConfig):
    """The app as an ECS Fargate service with a circuit breaker that rolls back failed deploys."""

    kind: Literal["fargate"] = Field(description="`fargate` or `ec2`.")
    cpu: int = Field(description="Task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384.")
    memory: int = Field(description="Task memory in MiB; must be a size Fargate accepts for `cpu`.")
    architecture: Architecture = Field(
        default=Architecture.ARM64, description="arm64 (Graviton, cheaper) or x86_64; the image must match."
    )
    spot: bool = Field(description="Run on Fargate Spot (about 70% cheaper, may be interrupted).")

    def problems(self) -> Iterator[tuple[str, str]]:
        yield from super().problems()
        if self.cpu not in FARGATE_SIZES:
            yield "cpu", f"{self.cpu} is not a Fargate size; use one of {', '.join(map(str, FARGATE_SIZES))}"
        elif self.memory not in FARGATE_SIZES[self.cpu]:
            yield "memory", f"{self.memory} MiB does not go with cpu {self.cpu}; {_memory_sizes(self.cpu)}"


def _memory_sizes(cpu: int) -> str:
    sizes = FARGATE_SIZES[cpu]
    step = sizes[1] - sizes[0]
    if sizes == tuple(range(sizes[0], sizes[-1] + 1, step)):
        return f"Fargate accepts {sizes[0]}-{sizes[-1]} MiB in steps of {step}"
    # 256 CPU units take 512, 1024 or 2048 MiB: not a range, so list them.
    return f"Fargate accepts {', '.join(map(str, sizes))} MiB"


_INSTANCE_TYPE = re.compile(r"^(?P<family>[a-z]+(?P<generation>\d+)(?P<options>[a-z-]*))\.(?P<size>[a-z0-9]+)$")


def instance_architecture(instance_type: str) -> Architecture:
    """Graviton families carry a `g` after their generation (t4g, m7g, c7gn)."""
    match = _INSTANCE_TYPE.match(instance_type)
    assert match, instance_type
    return Architecture.ARM64 if "g" in match["options"] else Architecture.X86_64


def _instance_type(value: str) -> str:
    if not _INSTANCE_TYPE.match(value):
        raise ValueError(f"{value!r} is not an EC2 instance type like t4g.small or m7g.large")
    return value


class Ec2Config(AppConfig):
    """The app on an EC2 Auto Scaling group (IMDSv2, no SSH) with instance refresh on change."""

    kind: Literal["ec2"] = Field(description="`fargate` or `ec2`.")
    instance_type: Annotated[str, AfterValidator(_instance_type)] = Field(
        description="EC2 instance type; Graviton types (t4g, m7g, ...) run the arm64 AMI."
    )

    @property
    def architecture(self) -> Architecture:
        return instance_architecture(self.instance_type)


ComputeConfig = Annotated[FargateConfig | Ec2Config, Field(discriminator="kind")]
