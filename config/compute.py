"""`webstack:compute`: the app tier, either ECS Fargate or an EC2 Auto Scaling group (`kind`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from config import catalog
from config.base import PROD, ConfigModel, Rule, TierRule, at_least_in, rule
from config.scope import Environment, current_scope
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


@rule("slow_start_seconds")
def _slow_start_range(values: AppConfig) -> Iterator[tuple[str, str]]:
    if 0 < values.slow_start_seconds < 30:
        yield "slow_start_seconds", f"{values.slow_start_seconds} is below 30; use 30-900, or 0 for off"


@rule("environment", "secrets")
def _plain_or_secret(values: AppConfig) -> Iterator[tuple[str, str]]:
    overlap = sorted(set(values.environment) & set(values.secrets))
    if overlap:
        yield "secrets", f"{', '.join(overlap)} set both as a plain variable and as a secret; keep one"


class DeploymentStrategy(StrEnum):
    """How a new version replaces the old: ECS's native strategies (the EC2 kind always rolls)."""

    ROLLING = "rolling"
    CANARY = "canary"
    LINEAR = "linear"
    BLUE_GREEN = "blueGreen"


@rule("strategy", "canary_percent", "linear_step_percent")
def _shift_fits(values: DeploymentConfig) -> Iterator[tuple[str, str]]:
    if values.strategy is DeploymentStrategy.LINEAR and 100 % values.linear_step_percent:
        yield "linear_step_percent", f"{values.linear_step_percent} does not divide 100; use 5, 10, 20, 25 or 50"


class DeploymentConfig(ConfigModel):
    """A release: shifted gradually, watched by the circuit breaker and the deployment alarms, undone by itself."""

    strategy: DeploymentStrategy = Field(
        description=(
            "rolling (new tasks replace old ones), canary (a share of traffic first, then the rest), linear "
            "(equal steps) or blueGreen (all at once onto a full new set, the old one kept during the bake)."
        )
    )
    bake_time_minutes: int = Field(
        default=5,
        ge=0,
        le=1440,
        description="canary, linear, blueGreen: how long the old version stays ready to take traffic back.",
    )
    canary_percent: float = Field(
        default=10, gt=0, lt=100, description="canary: the share of traffic the new version takes first."
    )
    canary_minutes: int = Field(default=5, ge=0, le=1440, description="canary: how long that share runs first.")
    linear_step_percent: float = Field(
        default=25, ge=3, le=100, description="linear: the share of traffic each step moves (divides 100)."
    )
    linear_step_minutes: int = Field(default=1, ge=0, le=1440, description="linear: minutes between steps.")
    max_error_percent: float = Field(
        default=5,
        gt=0,
        le=100,
        description="Roll back when more than this share of the app's responses are 5xx (a deployment alarm).",
    )

    rules: ClassVar[tuple[Rule, ...]] = (_shift_fits,)


@rule("interval_seconds", "timeout_seconds")
def _timeout_within_interval(values: HealthCheckConfig) -> Iterator[tuple[str, str]]:
    if values.timeout_seconds >= values.interval_seconds:
        yield (
            "timeout_seconds",
            f"{values.timeout_seconds} must be below compute.healthCheck.intervalSeconds ({values.interval_seconds})",
        )


class HealthCheckConfig(ConfigModel):
    """The load balancer's health check of the app: shallow (the app answers), never its dependencies."""

    path: Annotated[str, Allowed("a URL path starting with /, without spaces")] = Field(
        default="/",
        pattern=r"^/[^\s?#]*$",
        max_length=1024,
        description="Path requested; it must answer HTTP 200 without touching the database or the cache.",
    )
    interval_seconds: int = Field(default=10, ge=5, le=300, description="Seconds between checks.")
    timeout_seconds: int = Field(default=5, ge=2, le=120, description="Seconds a check may take (below the interval).")
    healthy_threshold: int = Field(default=2, ge=2, le=10, description="Passing checks before a target gets traffic.")
    unhealthy_threshold: int = Field(default=2, ge=2, le=10, description="Failing checks before a target is out.")
    grace_period_seconds: int = Field(
        default=60, ge=0, le=2_147_483_647, description="Seconds after start before a failing check counts."
    )

    rules: ClassVar[tuple[Rule, ...]] = (_timeout_within_interval,)


_TIME_ZONE = re.compile(r"^(UTC|[A-Z][A-Za-z_]+(/[A-Z][A-Za-z_+-]+){1,2})$")


class ScheduleConfig(ConfigModel):
    """Scale a non-prod stack to nothing outside working hours (Application Auto Scaling scheduled actions)."""

    scale_down: str = Field(
        pattern=r"^cron\([^)]+\)$",
        description="When to scale to zero, e.g. cron(0 19 ? * MON-FRI *).",
    )
    scale_up: str = Field(pattern=r"^cron\([^)]+\)$", description="When to scale back, e.g. cron(0 7 ? * MON-FRI *).")
    time_zone: str = Field(pattern=_TIME_ZONE.pattern, description="IANA time zone of the crons, e.g. Europe/Dublin.")


class AppConfig(ConfigModel):
    """What the app tier runs and how it scales, whichever compute kind carries it."""

    image: Annotated[ImageReference, AfterValidator(_PINNED)] = Field(
        default="public.ecr.aws/nginx/nginx:stable",
        description="Container image of the app. In prod, pin it by digest, version tag or commit-sha tag.",
    )
    container_port: Port = Field(default=80, description="Port the app listens on inside the container.")
    health_check: HealthCheckConfig = Field(
        default_factory=HealthCheckConfig, description="The load balancer's health check of the app."
    )
    desired_count: Annotated[int, at_least_in(PROD, 2, "one task or instance is a single point of failure")] = Field(
        ge=0,
        le=1000,
        description=(
            "Instances or tasks to run; each is billed by the hour (a 0.25 vCPU, 0.5 GB arm64 task about $7 a "
            "month on demand; `ops cost` prices yours)."
        ),
    )
    min_count: Annotated[int, at_least_in(PROD, 2, "scaling in must never leave a single AZ serving")] = Field(
        ge=0, le=1000, description="Lower bound for auto scaling."
    )
    max_count: int = Field(ge=1, le=1000, description="Upper bound for auto scaling.")
    cpu_target_percent: int = Field(
        default=60, ge=10, le=90, description="Average CPU utilisation that target tracking holds."
    )
    requests_per_target: int = Field(
        default=1000,
        ge=0,
        le=1_000_000,
        description="Requests per minute per task or instance that target tracking holds; 0 scales on CPU only.",
    )
    slow_start_seconds: int = Field(
        default=0,
        ge=0,
        le=900,
        description="Ramp a new target's share of requests over this many seconds (30-900); 0 is off.",
    )
    idle_timeout_seconds: int = Field(
        default=60, ge=1, le=4000, description="The load balancer's idle connection timeout."
    )
    deployment: DeploymentConfig = Field(description="How releases roll out and roll back.")
    read_only_root_filesystem: bool = Field(
        default=False, description="Mount the container's root filesystem read-only (the app must write to /tmp)."
    )
    run_as_user: str | None = Field(
        default=None,
        pattern=r"^[0-9]{1,10}(:[0-9]{1,10})?$",
        description="Run the container as this uid[:gid] instead of the image's user, e.g. 1000:1000.",
    )
    schedule: Annotated[
        ScheduleConfig | None,
        AfterValidator(TierRule(PROD, lambda value: value is None, "unset", "prod serves around the clock")),
    ] = Field(default=None, description="Scale to zero outside working hours (not in prod). Off when unset.")
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

    rules: ClassVar[tuple[Rule, ...]] = (_counts_in_order, _plain_or_secret, _slow_start_range)


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


class ContainerInsights(StrEnum):
    """CloudWatch Container Insights on the cluster: its metrics are billed as custom metrics."""

    ENHANCED = "enhanced"
    ENABLED = "enabled"
    DISABLED = "disabled"


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
    on_demand_base: int = Field(
        ge=0, le=100_000, description="Tasks always run on regular Fargate before any Spot share applies."
    )
    spot_percent: int = Field(
        ge=0,
        le=100,
        description="Share of the tasks above the base on Fargate Spot (about 70% cheaper, may be interrupted).",
    )
    exec_command: bool = Field(
        default=False, description="Allow ECS Exec into running containers (sessions logged, encrypted)."
    )
    container_insights: ContainerInsights = Field(
        description=(
            "Container Insights: enhanced (task and container metrics too, about $0.30 a month per metric: some 45 "
            "for one task), enabled (cluster and service metrics, some 18, about $5 a month) or disabled (no "
            "running-task alarm: only CPU, memory and the deployment alarms watch the app)."
        )
    )

    rules: ClassVar[tuple[Rule, ...]] = (*AppConfig.rules, _memory_fits_cpu)


def instance_architecture(instance_type: str) -> Architecture:
    """arm64 for Graviton instance types (t4g, m7g, c7gn, ...), x86_64 for the rest."""
    return Architecture.ARM64 if catalog.ec2_is_graviton(instance_type) else Architecture.X86_64


def _is_burstable(instance_type: str) -> bool:
    return instance_type.startswith("t")


@rule("instance_type", "unlimited_credits")
def _burstable_in_prod(values: Ec2Config) -> Iterator[tuple[str, str]]:
    burstable = _is_burstable(values.instance_type)
    if current_scope().environment is Environment.PROD and burstable and not values.unlimited_credits:
        yield (
            "instance_type",
            f"{values.instance_type} is burstable: in prod it throttles when its credits run out; set "
            "compute.unlimitedCredits: true or use an m, c or r type",
        )


@rule("deployment")
def _rolls_out_by_refresh(values: Ec2Config) -> Iterator[tuple[str, str]]:
    if values.deployment.strategy is not DeploymentStrategy.ROLLING:
        yield (
            "deployment",
            f"strategy {values.deployment.strategy.value} is an ECS strategy; kind ec2 rolls out by instance "
            "refresh: use rolling (it rolls back by itself too)",
        )


class Ec2Config(AppConfig):
    """The app on an EC2 Auto Scaling group (IMDSv2, no SSH) with instance refresh on change."""

    kind: Literal["ec2"] = Field(description="`fargate` or `ec2`.")
    instance_type: Annotated[
        str, checked_by(catalog.ec2_instance_type_problem), Allowed("an EC2 instance type, e.g. t4g.small")
    ] = Field(description="EC2 instance type; Graviton types (t4g, m7g, ...) run the arm64 AMI.")
    unlimited_credits: bool = Field(
        default=False, description="Burstable (t) types: pay for CPU above the baseline instead of throttling."
    )
    ami: str | None = Field(
        default=None,
        pattern=r"^ami-[0-9a-f]{8,17}$",
        description="An AMI you bake yourself. Unset: the latest Amazon Linux 2023 for the instance's architecture.",
    )
    spot_percent: int = Field(
        default=0,
        ge=0,
        le=100,
        description="Share of the instances above the minimum that run on Spot, with capacity rebalancing.",
    )
    refresh_min_healthy_percent: int = Field(
        default=100,
        ge=0,
        le=100,
        description=(
            "Instance refresh keeps at least this share of the group in service; new instances start beside the "
            "old ones (up to this share plus 100 %), so a release replaces every instance in one wave."
        ),
    )

    rules: ClassVar[tuple[Rule, ...]] = (*AppConfig.rules, _burstable_in_prod, _rolls_out_by_refresh)

    @property
    def architecture(self) -> Architecture:
        return instance_architecture(self.instance_type)


ComputeConfig = Annotated[FargateConfig | Ec2Config, Field(discriminator="kind")]
