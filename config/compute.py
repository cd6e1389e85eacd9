"""`webstack:compute`: the app tier, either ECS Fargate or an EC2 Auto Scaling group (`kind`)."""

from __future__ import annotations

import fnmatch
import hashlib
import itertools
import re
from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

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
def _counts_in_order(values: ServiceConfig) -> Iterator[tuple[str, str]]:
    if values.min_count > values.max_count:
        yield "min_count", f"{values.min_count} is above maxCount ({values.max_count})"
    elif not values.min_count <= values.desired_count <= values.max_count:
        yield (
            "desired_count",
            f"{values.desired_count} must be between minCount ({values.min_count}) and maxCount ({values.max_count})",
        )


@rule("slow_start_seconds")
def _slow_start_range(values: ServiceConfig) -> Iterator[tuple[str, str]]:
    if 0 < values.slow_start_seconds < 30:
        yield "slow_start_seconds", f"{values.slow_start_seconds} is below 30; use 30-900, or 0 for off"


@rule("environment", "secrets")
def _plain_or_secret(values: ServiceConfig) -> Iterator[tuple[str, str]]:
    overlap = sorted(set(values.environment) & set(values.secrets))
    if overlap:
        yield "secrets", f"{', '.join(overlap)} set both as a plain variable and as a secret; keep one"


@rule("type", "routing", "allow_from", "queue", "deployment")
def _fits_its_type(values: ServiceConfig) -> Iterator[tuple[str, str]]:
    kind = values.type
    if kind is not ServiceType.PUBLIC and values.routing != RoutingConfig():
        yield "routing", f"is for public services; a service of type {kind.value} gets no load balancer route"
    if kind is ServiceType.WORKER and values.allow_from:
        yield "allow_from", "is for services with a port; a worker is called by no one (give it a queue instead)"
    if kind is not ServiceType.WORKER and values.queue is not None:
        yield "queue", f"is for workers; a service of type {kind.value} is called, it does not work a queue"
    if kind is not ServiceType.PUBLIC and values.deployment.strategy is not DeploymentStrategy.ROLLING:
        yield (
            "deployment",
            f"strategy {values.deployment.strategy.value} shifts load balancer traffic; a service of type "
            f"{kind.value} has none: use rolling",
        )


@rule("queue", "min_count")
def _queue_keeps_a_task(values: ServiceConfig) -> Iterator[tuple[str, str]]:
    if values.queue is not None and values.min_count < 1:
        yield "min_count", "0 with a queue: backlog per task needs a running task to divide by; use 1 or more"


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
            f"{values.timeout_seconds} must be below healthCheck.intervalSeconds ({values.interval_seconds})",
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


class ServiceType(StrEnum):
    """How a service is reached: through the load balancer, by name from other services, or not at all."""

    PUBLIC = "public"
    INTERNAL = "internal"
    WORKER = "worker"


class DataStore(StrEnum):
    """A shared store of the data tier that a service may use."""

    DATABASE = "database"
    CACHE = "cache"
    SESSIONS = "sessions"


# The service a stack file configures at the top of `compute` (the single-app form) is this one.
SINGLE_APP = "app"
MAX_SERVICES = 20
# Names of the platform's own areas: a service's resources are named after it, beside theirs.
RESERVED_SERVICE_NAMES = frozenset(
    (
        "alb",
        "aws",
        "audit",
        "access",
        "cache",
        "certificates",
        "database",
        "ecs",
        "edge",
        "encryption",
        "endpoints",
        "global",
        "lb",
        "monitoring",
        "network",
        "origin",
        "sessions",
        "alerts",
        "default",
    )
)


def _service_name(value: str) -> str:
    if value in RESERVED_SERVICE_NAMES:
        raise ValueError(f"{value} names a part of the platform; choose another service name")
    return value


# No hyphen: every resource of a service is named `<service>-<role>`, so no service's names can be another's.
ServiceName = Annotated[
    str,
    Field(pattern=r"^[a-z][a-z0-9]{0,15}$"),
    Allowed("1-16 lowercase letters and digits, starting with a letter (no hyphen)"),
    AfterValidator(_service_name),
]


def _unique(values: list[Any]) -> list[Any]:
    repeated = sorted({str(value) for value in values if values.count(value) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} listed twice")
    return values


# What the load balancer accepts in a path-pattern or host-header condition (case-sensitive paths).
PathPattern = Annotated[
    str,
    Field(pattern=r"^/[A-Za-z0-9_\-.$/~\"'@:+&*?]{0,127}$"),
    Allowed("a path starting with /, up to 128 characters, with * and ? as wildcards, e.g. /api/*"),
]
HostPattern = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9*?-]+(\.[A-Za-z0-9*?-]+)+$", max_length=128),
    Allowed("a host name with at least one dot, * and ? as wildcards, e.g. api.example.com"),
]
# A listener rule holds at most 5 values, 3 per condition; one is kept for the origin header of an
# internet-facing load balancer, so switching the origin design never breaks a rule.
MAX_ROUTE_VALUES = 4


@rule("paths", "hosts")
def _route_fits_a_rule(values: RoutingConfig) -> Iterator[tuple[str, str]]:
    count = len(values.paths) + len(values.hosts)
    if count > MAX_ROUTE_VALUES:
        yield (
            "paths",
            f"{count} paths and hosts in all; a load balancer rule takes at most {MAX_ROUTE_VALUES} here (3 of a "
            "kind): give the service fewer, broader patterns",
        )


class RoutingConfig(ConfigModel):
    """Which requests the load balancer sends a public service: its paths and/or host names."""

    paths: list[PathPattern] = Field(
        default_factory=list, max_length=3, description="Path patterns, e.g. [/api/*]; any path when empty."
    )
    hosts: list[HostPattern] = Field(
        default_factory=list,
        max_length=3,
        description="Host names, e.g. [www.example.com]; each must be a name the distribution serves. Any when empty.",
    )
    priority: int | None = Field(
        default=None,
        ge=1,
        le=49_999,
        description=(
            "The rule's place (lower is matched first). Unset: derived from the service's name, so adding or "
            "removing a service never renumbers another. Required when two services' routes overlap."
        ),
    )

    rules: ClassVar[tuple[Rule, ...]] = (_route_fits_a_rule,)

    @property
    def matches_everything(self) -> bool:
        return not self.paths and not self.hosts


# Priorities derived from names fall here; the single catch-all service's rule comes after every one of them.
DERIVED_PRIORITIES = range(1_000, 41_000)


def rule_priority(name: str, routing: RoutingConfig) -> int:
    """A routed service's listener rule priority: the configured one, or one derived from its name alone.

    Never from a position in the map: adding or removing a service must not renumber (and so replace) another's rule.
    """
    if routing.priority is not None:
        return routing.priority
    number = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    return DERIVED_PRIORITIES[number % len(DERIVED_PRIORITIES)]


def _literal_prefix(pattern: str) -> str:
    return re.split(r"[*?]", pattern, maxsplit=1)[0]


def _patterns_overlap(first: str, second: str) -> bool:
    """Whether one request could match both patterns (conservatively: yes when unsure)."""
    if not re.search(r"[*?]", first):
        return fnmatch.fnmatchcase(first, second)
    if not re.search(r"[*?]", second):
        return fnmatch.fnmatchcase(second, first)
    a, b = _literal_prefix(first), _literal_prefix(second)
    return a.startswith(b) or b.startswith(a)


def _values_overlap(first: list[str], second: list[str]) -> bool:
    """An empty list matches everything."""
    if not first or not second:
        return True
    return any(_patterns_overlap(a, b) for a in first for b in second)


def route_order_problems(routes: Mapping[str, RoutingConfig]) -> Iterator[tuple[str, str]]:
    """Routed services need distinct priorities, and an explicit order where one request could match two."""
    taken: dict[int, str] = {}
    for name in sorted(routes):
        priority = rule_priority(name, routes[name])
        if priority in taken:
            yield "services", f"{taken[priority]} and {name} share rule priority {priority}; set routing.priority"
        taken[priority] = name
    for first, second in itertools.combinations(sorted(routes), 2):
        a, b = routes[first], routes[second]
        unordered = a.priority is None or b.priority is None
        if unordered and _values_overlap(a.paths, b.paths) and _values_overlap(a.hosts, b.hosts):
            yield (
                "services",
                f"{first} and {second} may match the same request; set routing.priority on both (the lower number "
                "is matched first)",
            )


class QueueConfig(ConfigModel):
    """A worker's SQS queue: encrypted with the environment key, failed messages kept in a dead-letter queue."""

    senders: Annotated[list[ServiceName], AfterValidator(_unique)] = Field(
        default_factory=list,
        max_length=MAX_SERVICES,
        description="Services that may send to it: each gets <WORKER>_QUEUE_URL and sqs:SendMessage on it alone.",
    )
    visibility_timeout_seconds: int = Field(
        default=60,
        ge=0,
        le=43_200,
        description="How long a received message stays hidden: longer than the worker takes for one message.",
    )
    max_receive_count: int = Field(
        default=5, ge=1, le=1000, description="Receives before a message moves to the dead-letter queue."
    )
    retention_days: int = Field(default=4, ge=1, le=14, description="How long an unprocessed message is kept.")
    messages_per_task: int = Field(
        default=100,
        ge=1,
        le=100_000,
        description="Backlog per task that scaling holds: visible messages divided by running tasks.",
    )


_TIME_ZONE = re.compile(r"^(UTC|[A-Z][A-Za-z_]+(/[A-Z][A-Za-z_+-]+){1,2})$")


class ScheduleConfig(ConfigModel):
    """Scale a non-prod stack to nothing outside working hours (Application Auto Scaling scheduled actions)."""

    scale_down: str = Field(
        pattern=r"^cron\([^)]+\)$",
        description="When to scale to zero, e.g. cron(0 19 ? * MON-FRI *).",
    )
    scale_up: str = Field(pattern=r"^cron\([^)]+\)$", description="When to scale back, e.g. cron(0 7 ? * MON-FRI *).")
    time_zone: str = Field(pattern=_TIME_ZONE.pattern, description="IANA time zone of the crons, e.g. Europe/Dublin.")


class ServiceConfig(ConfigModel):
    """One service of the app tier: what it runs, who reaches it and how it scales, whichever kind carries it."""

    type: ServiceType = Field(
        default=ServiceType.PUBLIC,
        description=(
            "public (the load balancer routes requests to it), internal (other services call it by name, through "
            "ECS Service Connect) or worker (no port: it works a queue or on its own). Kind ec2 runs public only."
        ),
    )
    routing: RoutingConfig = Field(
        default_factory=lambda: RoutingConfig(),
        description=(
            "public: which requests the load balancer sends it. With no paths and no hosts it takes every request "
            "no other service takes (one service at most); when none does, unmatched requests get a 404."
        ),
    )
    allow_from: Annotated[list[ServiceName], AfterValidator(_unique)] = Field(
        default_factory=list,
        max_length=MAX_SERVICES,
        description=(
            "public, internal: the services that may call it by name (http://<name>:<containerPort>); its security "
            "group admits those and no others."
        ),
    )
    queue: QueueConfig | None = Field(
        default=None,
        description="worker: an SQS queue of its own (encrypted, with a dead-letter queue) that it scales on.",
    )
    uses: Annotated[list[DataStore], AfterValidator(_unique)] = Field(
        default_factory=lambda: list(DataStore),
        description=(
            "The shared stores it may reach: database, cache, sessions. Its role, its settings and its security "
            "group's rules cover these and no others."
        ),
    )

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

    rules: ClassVar[tuple[Rule, ...]] = (
        _counts_in_order,
        _plain_or_secret,
        _slow_start_range,
        _fits_its_type,
        _queue_keeps_a_task,
    )

    @property
    def public(self) -> bool:
        return self.type is ServiceType.PUBLIC

    @property
    def listens(self) -> bool:
        """It has a port: the load balancer or other services reach it there."""
        return self.type is not ServiceType.WORKER

    @property
    def called_by_name(self) -> bool:
        """Other services call it (its `allowFrom`), through Service Connect under its name."""
        return self.listens and bool(self.allow_from)


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
def _memory_fits_cpu(values: FargateServiceConfig) -> Iterator[tuple[str, str]]:
    if values.memory not in FARGATE_SIZES[values.cpu]:
        yield "memory", f"{values.memory} MiB does not go with cpu {values.cpu}; {_memory_sizes(values.cpu)}"


class ContainerInsights(StrEnum):
    """CloudWatch Container Insights on the cluster: its metrics are billed as custom metrics."""

    ENHANCED = "enhanced"
    ENABLED = "enabled"
    DISABLED = "disabled"


class FargateServiceConfig(ServiceConfig):
    """A service on ECS Fargate, with a circuit breaker that rolls back failed deploys."""

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
    rules: ClassVar[tuple[Rule, ...]] = (*ServiceConfig.rules, _memory_fits_cpu)


def instance_architecture(instance_type: str) -> Architecture:
    """arm64 for Graviton instance types (t4g, m7g, c7gn, ...), x86_64 for the rest."""
    return Architecture.ARM64 if catalog.ec2_is_graviton(instance_type) else Architecture.X86_64


@rule("instance_type", "unlimited_credits")
def _burstable_in_prod(values: Ec2ServiceConfig) -> Iterator[tuple[str, str]]:
    burstable = catalog.ec2_is_burstable(values.instance_type)
    if current_scope().environment is Environment.PROD and burstable and not values.unlimited_credits:
        yield (
            "instance_type",
            f"{values.instance_type} is burstable: in prod it throttles when its credits run out; set "
            "unlimitedCredits: true or use an m, c or r type",
        )


@rule("deployment")
def _rolls_out_by_refresh(values: Ec2ServiceConfig) -> Iterator[tuple[str, str]]:
    if values.deployment.strategy is not DeploymentStrategy.ROLLING:
        yield (
            "deployment",
            f"strategy {values.deployment.strategy.value} is an ECS strategy; kind ec2 rolls out by instance "
            "refresh: use rolling (it rolls back by itself too)",
        )


class Ec2ServiceConfig(ServiceConfig):
    """The app on an EC2 Auto Scaling group (IMDSv2, no SSH) with instance refresh on change."""

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

    rules: ClassVar[tuple[Rule, ...]] = (*ServiceConfig.rules, _burstable_in_prod, _rolls_out_by_refresh)

    @property
    def architecture(self) -> Architecture:
        return instance_architecture(self.instance_type)


def _single_app_form(cluster_keys: frozenset[str], data: Any) -> Any:
    """`compute` written for one app (its keys beside `kind`) is the one service named `app`."""
    if not isinstance(data, Mapping) or "services" in data:
        return data
    return {
        **{key: value for key, value in data.items() if key in cluster_keys},
        "services": {SINGLE_APP: {key: value for key, value in data.items() if key not in cluster_keys}},
    }


@rule("services")
def _services_fit_together(values: FargateConfig | Ec2Config) -> Iterator[tuple[str, str]]:
    services: Mapping[str, ServiceConfig] = values.services
    for name, service in services.items():
        callers = [*service.allow_from, *(service.queue.senders if service.queue else ())]
        for caller in callers:
            if caller == name:
                yield "services", f"{name} lists itself as a caller; a service reaches itself without a rule"
            elif caller not in services:
                yield "services", f"{name} names {caller}, which is not a service here ({', '.join(services)})"
    public = {name: service for name, service in services.items() if service.public}
    if not public:
        yield "services", "needs at least one public service: the load balancer and CloudFront send requests to it"
    defaults = [name for name, service in public.items() if service.routing.matches_everything]
    if len(defaults) > 1:
        yield (
            "services",
            f"{' and '.join(defaults)} both take every request (no paths, no hosts); give all but one routing.paths "
            "or routing.hosts",
        )
    yield from route_order_problems({name: s.routing for name, s in public.items() if name not in defaults})


class ClusterConfig(ConfigModel):
    """The app tier: its services and what they share (the load balancer, and the cluster on Fargate)."""

    idle_timeout_seconds: int = Field(
        default=60, ge=1, le=4000, description="The load balancer's idle connection timeout."
    )

    # Keys of `compute` itself; in the single-app form every other key belongs to the service `app`.
    cluster_keys: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.cluster_keys = frozenset(
            field.alias or name for name, field in cls.model_fields.items() if name != "services"
        )

    @model_validator(mode="before")
    @classmethod
    def _one_app(cls, data: Any) -> Any:
        return _single_app_form(cls.cluster_keys, data)


@rule("services", "container_insights")
def _backlog_needs_insights(values: FargateConfig) -> Iterator[tuple[str, str]]:
    workers = [name for name, service in values.services.items() if service.queue is not None]
    if workers and values.container_insights is ContainerInsights.DISABLED:
        yield (
            "container_insights",
            f"{' and '.join(workers)} scale on backlog per task, which divides by Container Insights' running task "
            "count: set enabled (or drop the queue)",
        )


class FargateConfig(ClusterConfig):
    """Services on ECS Fargate in one cluster, behind one load balancer."""

    kind: Literal["fargate"] = Field(description="`fargate` or `ec2`.")
    container_insights: ContainerInsights = Field(
        description=(
            "Container Insights: enhanced (task and container metrics too, about $0.30 a month per metric: some 45 "
            "for one task), enabled (cluster and service metrics, some 18, about $5 a month) or disabled (no "
            "running-task alarm: only CPU, memory and the deployment alarms watch the app)."
        )
    )

    services: dict[ServiceName, FargateServiceConfig] = Field(
        min_length=1,
        max_length=MAX_SERVICES,
        description=(
            "The services, by name. A stack file may instead set one service's keys directly under compute: that "
            "is the service named app."
        ),
    )

    rules: ClassVar[tuple[Rule, ...]] = (_services_fit_together, _backlog_needs_insights)


@rule("services")
def _one_ec2_service(values: Ec2Config) -> Iterator[tuple[str, str]]:
    services: Mapping[str, ServiceConfig] = values.services
    if len(services) > 1:
        yield (
            "services",
            f"kind ec2 runs one service (the Auto Scaling group is the load balancer's only target); got "
            f"{len(services)}: {', '.join(services)}. Use kind fargate for several services",
        )
    for name, service in services.items():
        if not service.public:
            yield "services", f"{name}: kind ec2 runs a public service only; type {service.type.value} needs fargate"


class Ec2Config(ClusterConfig):
    """One service on an EC2 Auto Scaling group, behind the load balancer."""

    kind: Literal["ec2"] = Field(description="`fargate` or `ec2`.")
    services: dict[ServiceName, Ec2ServiceConfig] = Field(
        min_length=1,
        description="The one service, by name; a stack file may instead set its keys directly under compute (app).",
    )

    rules: ClassVar[tuple[Rule, ...]] = (_one_ec2_service, _services_fit_together)


ComputeConfig = Annotated[FargateConfig | Ec2Config, Field(discriminator="kind")]
# Keys of `compute` itself, of either kind, as a stack file writes them (the presets split on them too).
CLUSTER_KEYS = FargateConfig.cluster_keys | Ec2Config.cluster_keys
