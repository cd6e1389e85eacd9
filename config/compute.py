"""`webstack:compute`: the app tier, either ECS Fargate or an EC2 Auto Scaling group (`kind`)."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from config import catalog
from config.base import PROD, ConfigModel, Rule, TierRule, at_least_in, rule
from config.types import (
    Allowed,
    ImageReference,
    Port,
    checked_by,
    each_entry,
    image_is_pinned,
    plain_variable_problem,
    secret_reference_problem,
    text_from_plain_scalar,
)

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


class Architecture(StrEnum):
    """CPU architecture of the app tier; arm64 is Graviton, about 20% cheaper."""

    ARM64 = "arm64"
    X86_64 = "x86_64"


_PINNED = TierRule(
    PROD,
    image_is_pinned,
    "a digest (@sha256:...), a version tag (1.27, v2.3.1-alpine) or a commit-sha tag",
    "a prod deploy must be reproducible; tags such as latest, stable or main move to new images",
)

# Environment values are text; an unquoted number keeps its digits, as Pulumi hands top-level values over.
EnvValue = Annotated[str, BeforeValidator(text_from_plain_scalar)]


@rule("min_count", "desired_count", "max_count")
def _counts_in_order(values: AppConfig) -> Iterator[tuple[str, str]]:
    if values.min_count > values.max_count:
        yield "min_count", f"{values.min_count} is above compute.maxCount ({values.max_count})"
    elif not values.min_count <= values.desired_count <= values.max_count:
        yield (
            "desired_count",
            f"{values.desired_count} must be between compute.minCount ({values.min_count}) "
            f"and compute.maxCount ({values.max_count})",
        )


@rule("environment", "secrets")
def _plain_or_secret(values: AppConfig) -> Iterator[tuple[str, str]]:
    overlap = sorted(set(values.environment) & set(values.secrets))
    if overlap:
        yield "secrets", f"{', '.join(overlap)} set both as a plain variable and as a secret; keep one"


class AppConfig(ConfigModel):
    """What the app tier runs and how it scales, whichever compute kind carries it."""

    image: Annotated[ImageReference, AfterValidator(_PINNED)] = Field(
        default="public.ecr.aws/nginx/nginx:stable",
        description="Container image of the app. In prod, pin it by digest, version tag or commit-sha tag.",
    )
    container_port: Port = Field(default=80, description="Port the app listens on inside the container.")
    health_check_path: Annotated[str, Allowed("a URL path starting with /, without spaces")] = Field(
        default="/",
        pattern=r"^/[^\s?#]*$",
        max_length=1024,
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
    environment: Annotated[dict[str, EnvValue], each_entry(plain_variable_problem)] = Field(
        default_factory=dict,
        max_length=200,
        description="Plain environment variables for the app. Names that look like secrets are rejected.",
    )
    secrets: Annotated[dict[str, str], each_entry(secret_reference_problem)] = Field(
        default_factory=dict,
        max_length=200,
        description=(
            "Environment variables filled from Secrets Manager or SSM at start: name -> ARN of the aws "
            "partition in the stack's region."
        ),
    )

    rules: ClassVar[tuple[Rule, ...]] = (_counts_in_order, _plain_or_secret)


def _fargate_cpu(value: int) -> int:
    if value not in FARGATE_SIZES:
        raise ValueError(f"{value} is not a Fargate size; use one of {', '.join(map(str, FARGATE_SIZES))}")
    return value


def _memory_sizes(cpu: int) -> str:
    sizes = FARGATE_SIZES[cpu]
    step = sizes[1] - sizes[0]
    if sizes == tuple(range(sizes[0], sizes[-1] + 1, step)):
        return f"Fargate accepts {sizes[0]}-{sizes[-1]} MiB in steps of {step}"
    # 256 CPU units take 512, 1024 or 2048 MiB: not a range, so list them.
    return f"Fargate accepts {', '.join(map(str, sizes))} MiB"


@rule("cpu", "memory")
def _memory_fits_cpu(values: FargateConfig) -> Iterator[tuple[str, str]]:
    if values.memory not in FARGATE_SIZES[values.cpu]:
        yield "memory", f"{values.memory} MiB does not go with cpu {values.cpu}; {_memory_sizes(values.cpu)}"


class FargateConfig(AppConfig):
    """The app as an ECS Fargate service with a circuit breaker that rolls back failed deploys."""

    kind: Literal["fargate"] = Field(description="`fargate` or `ec2`.")
    cpu: Annotated[int, AfterValidator(_fargate_cpu)] = Field(
        description="Task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384."
    )
    memory: int = Field(description="Task memory in MiB; must be a size Fargate accepts for `cpu`.")
    architecture: Architecture = Field(
        default=Architecture.ARM64, description="arm64 (Graviton, cheaper) or x86_64; the image must match."
    )
    spot: bool = Field(description="Run on Fargate Spot (about 70% cheaper, may be interrupted).")

    rules: ClassVar[tuple[Rule, ...]] = (*AppConfig.rules, _memory_fits_cpu)


def instance_architecture(instance_type: str) -> Architecture:
    """arm64 for Graviton instance types (t4g, m7g, c7gn, ...), x86_64 for the rest."""
    return Architecture.ARM64 if catalog.ec2_is_graviton(instance_type) else Architecture.X86_64


class Ec2Config(AppConfig):
    """The app on an EC2 Auto Scaling group (IMDSv2, no SSH) with instance refresh on change."""

    kind: Literal["ec2"] = Field(description="`fargate` or `ec2`.")
    instance_type: Annotated[
        str, checked_by(catalog.ec2_instance_type_problem), Allowed("an EC2 instance type, e.g. t4g.small")
    ] = Field(description="EC2 instance type; Graviton types (t4g, m7g, ...) run the arm64 AMI.")

    @property
    def architecture(self) -> Architecture:
        return instance_architecture(self.instance_type)


ComputeConfig = Annotated[FargateConfig | Ec2Config, Field(discriminator="kind")]
