"""`python -m ops diagram STACK`: the planned stack as a Mermaid flowchart, and docs/architecture.md.

Everything is read from the plan's manifest (the shape of `ops plan STACK --json`), nothing is
assumed: a config without a WAF draws none, and each label (instance class, counts, Multi-AZ) is the
value the program registered. GitHub renders the text in comments and Markdown, so a reviewer sees
the architecture a config produces.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.errors import WebstackError
from config.loader import parse_config
from config.stackfile import read_stack_file, stack_file_name
from config.text import printable

if TYPE_CHECKING:
    from ops.engine import OfflineRun

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"
REGENERATE = "python -m ops diagram --write-docs"

Resource = Mapping[str, Any]
# How render_architecture plans a stack file; tests pass one that reuses their runs.
Planner = Callable[[str, Path], "Mapping[str, Any] | OfflineRun"]

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
ORIGIN_ACCESS_CONTROL = "aws:cloudfront/originAccessControl:OriginAccessControl"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
CERTIFICATE = "aws:acm/certificate:Certificate"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ECS_SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SCALING_TARGET = "aws:appautoscaling/target:Target"
AUTOSCALING_GROUP = "aws:autoscaling/group:Group"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
DATABASE = "aws:rds/instance:Instance"
CACHE_NODES = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
TABLE = "aws:dynamodb/table:Table"
VPC = "awsx:ec2:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
QUEUE = "aws:sqs/queue:Queue"
PLATFORM = "webstack:index:Platform"
BUDGET = "aws:budgets/budget:Budget"
PROVIDER = "pulumi:providers:aws"
INSTANCE = "aws:ec2/instance:Instance"
SCHEDULE = "aws:scheduler/schedule:Schedule"
TRAIL = "aws:cloudtrail/trail:Trail"
DETECTOR = "aws:guardduty/detector:Detector"
SECURITY_HUB = "aws:securityhub/account:Account"

# awsx's subnet types, in the order a request meets them.
TIERS = ("public", "private", "isolated")

_ENGINES = {"postgres": "PostgreSQL", "valkey": "Valkey", "redis": "Redis OSS", "memcached": "Memcached"}
_HTTP_VERSIONS = {"http1.1": "HTTP/1.1", "http2": "HTTP/2", "http2and3": "HTTP/2+3", "http3": "HTTP/3"}
_ORIGIN_PROTOCOLS = {"https-only": "HTTPS", "http-only": "HTTP", "match-viewer": "HTTP or HTTPS"}
_NAT_STRATEGIES = {"OnePerAz": "one per AZ", "Single": "single"}
# Mermaid's own entity codes: a label can hold any text without ending its quotes or the link syntax.
_ENTITIES = {"#": "#35;", '"': "#quot;", "&": "#amp;", "<": "#lt;", ">": "#gt;", "|": "#124;", "`": "#96;"}
# The label a security group rule gives each store (`<service>-out-database`), by its node.
_STORE_LABELS = {"db": "database", "cache": "cache"}
_SHAPES = {"box": ('["', '"]'), "store": ('[("', '")]'), "person": ('(["', '"])'), "shield": ('{{"', '"}}')}


class DiagramError(WebstackError):
    """Raised when `ops diagram` is given nothing to draw, or a file that is not a plan manifest."""

    exit_code = 2


# -- the flowchart ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    id: str
    lines: tuple[str, ...]
    shape: str = "box"

    def text(self) -> str:
        start, stop = _SHAPES[self.shape]
        return f"{self.id}{start}{'<br/>'.join(_escape(line) for line in self.lines if line)}{stop}"


@dataclass
class Group:
    id: str
    title: str
    members: list[Node | Group] = field(default_factory=list)

    def empty(self) -> bool:
        return all(isinstance(member, Group) and member.empty() for member in self.members)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str | None = None
    dotted: bool = False

    def text(self) -> str:
        arrow = "-.->" if self.dotted else "-->"
        label = f'|"{_escape(self.label)}"|' if self.label else ""
        return f"{self.source} {arrow}{label} {self.target}"


def _escape(text: str) -> str:
    return "".join(_ENTITIES.get(ch, ch) for ch in printable(text))


def _render(members: Iterable[Node | Group], edges: Iterable[Edge]) -> str:
    lines = ["flowchart LR"]

    def emit(member: Node | Group, depth: int) -> None:
        pad = "    " * depth
        if isinstance(member, Node):
            lines.append(pad + member.text())
        elif not member.empty():
            lines.append(f'{pad}subgraph {member.id}["{_escape(member.title)}"]')
            for inner in member.members:
                emit(inner, depth + 1)
            lines.append(pad + "end")

    for member in members:
        emit(member, 1)
    lines += ["    " + edge.text() for edge in edges]
    return "\n".join(lines)


# -- reading the manifest --------------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Any]:
    # A preview's unknown list is a placeholder string: treat it as no items.
    return list(value) if isinstance(value, list | tuple) else []


def _int(value: Any) -> int | None:
    """A count or size from the inputs: JSON numbers arrive as floats, some (task cpu/memory) as strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _inputs(resource: Resource | None) -> Mapping[str, Any]:
    return _mapping(resource.get("inputs")) if resource is not None else {}


def _joined(*parts: str | None) -> str:
    return " · ".join(part for part in parts if part)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class _Manifest:
    """Lookups over a manifest's resources that tolerate a preview's unknowns and a hand-edited file."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        resources = data.get("resources")
        if not isinstance(resources, list):
            raise DiagramError("not a plan manifest (`python -m ops plan STACK --json`): it has no list of resources")
        self.resources = [resource for resource in resources if isinstance(resource, Mapping)]
        self.outputs = _mapping(data.get("outputs"))
        self._by_urn = {str(resource.get("urn")): resource for resource in self.resources}
        self._root = str((self.first(PLATFORM) or {}).get("name", ""))
        self._provider_regions = {
            str(provider.get("urn")): _text(_inputs(provider).get("region")) for provider in self.of(PROVIDER)
        }

    def of(self, type_: str) -> list[Resource]:
        return [resource for resource in self.resources if resource.get("type") == type_]

    def first(self, type_: str) -> Resource | None:
        return next(iter(self.of(type_)), None)

    def parent(self, resource: Resource) -> Resource | None:
        return self._by_urn.get(str(resource.get("parent")))

    def beside(self, resource: Resource, type_: str) -> list[Resource]:
        """Resources of `type_` with the same parent: the other parts of one component."""
        return [other for other in self.of(type_) if other.get("parent") == resource.get("parent")]

    def service_name(self, resource: Resource) -> str:
        """An app service's name in the config: its component's name after the root's (`<root>-<service>`)."""
        component = str((self.parent(resource) or {}).get("name", ""))
        return component.removeprefix(f"{self._root}-") if self._root else component

    def reaches(self, service: str) -> set[str]:
        """What a service's group may reach: the labels of its egress rules (`<network>-<service>-out-<peer>`)."""
        marker = f"-{service}-out-"
        return {
            str(rule.get("name")).rpartition(marker)[2]
            for rule in self.of(EGRESS_RULE)
            if marker in str(rule.get("name"))
        }

    def region(self, resource: Resource) -> str | None:
        """The region of the provider a resource was registered with (a reference may add `::id` to the URN)."""
        provider = str(resource.get("provider") or "")
        for urn, region in self._provider_regions.items():
            if provider == urn or provider.startswith(f"{urn}::"):
                return region
        return None

    def main_region(self) -> str | None:
        """The stack's region: the one most resources are created in (the edge lives in us-east-1)."""
        counts = Counter(region for region in map(self.region, self.resources) if region)
        return min(counts, key=lambda region: (-counts[region], region)) if counts else None

    def tier(self, resource: Resource, default: str) -> str:
        """The subnet tier a resource runs in: its subnets (or its subnet group's) among the stack's outputs."""
        inputs = _inputs(resource)
        ids = [
            *_items(inputs.get("subnets")),
            *_items(inputs.get("subnetIds")),
            *_items(inputs.get("vpcZoneIdentifiers")),
            *_items(_mapping(inputs.get("networkConfiguration")).get("subnets")),
            *([inputs["subnetId"]] if _text(inputs.get("subnetId")) else []),
        ]
        if not ids:  # a database or cache names a subnet group, the other part of its component
            groups = [r for r in self.resources if str(r.get("type")).endswith("/subnetGroup:SubnetGroup")]
            ids = [
                subnet
                for group in groups
                if group.get("parent") == resource.get("parent")
                for subnet in _items(_inputs(group).get("subnetIds"))
            ]
        for tier in TIERS:
            if ids and set(_items(self.outputs.get(f"{tier}SubnetIds"))).issuperset(ids):
                return tier
        return default


# -- what the plan holds, as nodes ---------------------------------------------------------------


@dataclass(frozen=True)
class _Placed:
    """A node inside the VPC: the subnet tier it runs in, and the label of the link that reaches it."""

    node: Node
    tier: str
    link: str | None = None


def _cloudfront(distribution: Resource) -> Node:
    inputs = _inputs(distribution)
    aliases = [alias for alias in _items(inputs.get("aliases")) if isinstance(alias, str)]
    http = _text(inputs.get("httpVersion"))
    return Node(
        "cdn",
        (
            _joined("CloudFront", ", ".join(aliases) or "*.cloudfront.net"),
            _joined(
                _text(inputs.get("priceClass")),
                _HTTP_VERSIONS.get(http or "", http),
                "IPv6" if inputs.get("isIpv6Enabled") is True else None,
            ),
        ),
    )


def _viewer_protocol(distribution: Resource) -> str:
    policy = _mapping(_inputs(distribution).get("defaultCacheBehavior")).get("viewerProtocolPolicy")
    return "HTTPS" if policy in ("redirect-to-https", "https-only") else "HTTP or HTTPS"


def _waf(m: _Manifest) -> Node | None:
    acl = next((acl for acl in m.of(WEB_ACL) if _inputs(acl).get("scope") == "CLOUDFRONT"), None)
    if acl is None:
        return None
    statements = [_mapping(_mapping(rule).get("statement")) for rule in _items(_inputs(acl).get("rules"))]
    managed = sum(1 for statement in statements if "managedRuleGroupStatement" in statement)
    rate = next((_mapping(s["rateBasedStatement"]) for s in statements if "rateBasedStatement" in s), None)
    limit = _int(rate.get("limit")) if rate else None
    window = (_int(rate.get("evaluationWindowSec")) or 300) if rate else None  # WAF's default window: 5 minutes
    return Node(
        "waf",
        (
            _joined("WAF", _plural(len(statements), "rule")),
            _plural(managed, "AWS managed rule group") if managed else "",
            f"rate limit {limit} per IP / {window // 60} min" if limit and window else "",
        ),
        "shield",
    )


def _certificate(m: _Manifest, distribution: Resource) -> Node | None:
    """The certificate CloudFront serves: one in the distribution's own region (us-east-1), when it has one."""
    if not _mapping(_inputs(distribution).get("viewerCertificate")).get("acmCertificateArn"):
        return None
    certificates = [c for c in m.of(CERTIFICATE) if m.region(c) == m.region(distribution)]
    names = sorted(
        {
            name
            for c in certificates
            for name in (_inputs(c).get("domainName"), *_items(_inputs(c).get("subjectAlternativeNames")))
            if isinstance(name, str)
        }
    )
    methods = sorted({method for c in certificates if (method := _text(_inputs(c).get("validationMethod")))})
    return Node("cert", ("ACM certificate", ", ".join(names), _joined(*(f"{method} validated" for method in methods))))


def _app_origin(m: _Manifest, distribution: Resource) -> str:
    """How CloudFront reaches the load balancer: a VPC origin, or over the internet with a secret header."""
    vpc_origin = m.first(VPC_ORIGIN)
    if vpc_origin is not None:
        config = _mapping(_inputs(vpc_origin).get("vpcOriginEndpointConfig"))
        return _joined("VPC origin", _ORIGIN_PROTOCOLS.get(str(config.get("originProtocolPolicy"))))
    inputs = _inputs(distribution)
    origins = inputs.get("origins")
    if not isinstance(origins, list):
        # A manifest hides an input that holds a secret whole: here, the value of the origin's secret header.
        return "internet · secret header"
    target = _mapping(inputs.get("defaultCacheBehavior")).get("targetOriginId")
    origin = next((_mapping(o) for o in origins if _mapping(o).get("originId") == target), {})
    policy = _mapping(origin.get("customOriginConfig")).get("originProtocolPolicy")
    header = "secret header" if _items(origin.get("customHeaders")) else None
    return _joined("internet", _ORIGIN_PROTOCOLS.get(str(policy)), header)


def _static_assets(m: _Manifest, distribution: Resource) -> tuple[Node, str] | None:
    """The S3 origin CloudFront reads through Origin Access Control, and the paths routed to it (every
    path but the default, which is the app's)."""
    if not any(_inputs(oac).get("originAccessControlOriginType") == "s3" for oac in m.of(ORIGIN_ACCESS_CONTROL)):
        return None
    inputs = _inputs(distribution)
    app = _mapping(inputs.get("defaultCacheBehavior")).get("targetOriginId")
    behaviors = [_mapping(b) for b in _items(inputs.get("orderedCacheBehaviors"))]
    paths = [str(b.get("pathPattern")) for b in behaviors if b.get("targetOriginId") != app]
    node = Node("assets", ("S3 · static assets", "private, read by CloudFront only"), "store")
    return node, _joined("OAC", ", ".join(paths))


def _load_balancer(m: _Manifest) -> _Placed | None:
    balancer = next((lb for lb in m.of(LOAD_BALANCER) if _inputs(lb).get("loadBalancerType") == "application"), None)
    if balancer is None:
        return None
    internal = _inputs(balancer).get("internal") is True
    if internal:
        exposure = "internal, no public address"
    elif any(_inputs(rule).get("prefixListId") for rule in m.of(INGRESS_RULE)):
        exposure = "internet-facing, admits CloudFront's origin ranges"
    else:
        exposure = "internet-facing"
    listeners = sorted(
        (_int(_inputs(listener).get("port")) or 0, _listener(_inputs(listener)))
        for listener in m.beside(balancer, LISTENER)
    )
    lines = ("Application Load Balancer", exposure, _joined(*(text for _, text in listeners)))
    return _Placed(Node("alb", lines), m.tier(balancer, "private" if internal else "public"))


def _listener(inputs: Mapping[str, Any]) -> str:
    text = f"{inputs.get('protocol')} :{_int(inputs.get('port'))}"
    actions = [_mapping(action) for action in _items(inputs.get("defaultActions"))]
    redirect = next((_mapping(a.get("redirect")) for a in actions if a.get("type") == "redirect"), None)
    return f"{text} → {redirect.get('protocol')}" if redirect else text


@dataclass(frozen=True)
class _Service:
    """One app service: its node, and its name in the config (its resources carry it after the root's name)."""

    placed: _Placed
    name: str
    # The load balancer's rule for it: its paths and hosts, or "default" when it takes every request.
    route: str | None
    # What its container is given (its task definition, lowercased): which table and queues it uses.
    environment: str


def _apps(m: _Manifest) -> list[_Service]:
    """The app tier: one node per ECS service on Fargate, or the EC2 Auto Scaling group."""
    services = m.of(ECS_SERVICE) or m.of(AUTOSCALING_GROUP)
    single = len(services) == 1
    found = []
    for resource in services:
        name = m.service_name(resource)
        node_id = "app" if single else f"svc_{name}"
        placed = _fargate(m, resource, node_id) if resource.get("type") == ECS_SERVICE else _ec2(m, resource, node_id)
        tasks = m.beside(resource, TASK_DEFINITION)
        environment = " ".join(str(_inputs(task).get("containerDefinitions")) for task in tasks).lower()
        found.append(_Service(placed, name, _route(m, resource), environment))
    return found


def _route(m: _Manifest, service: Resource) -> str | None:
    """What the load balancer sends a service: its rule's paths and hosts ("default" for the catch-all)."""
    rule = next(iter(m.beside(service, LISTENER_RULE)), None)
    if rule is None:
        return None
    matched: list[str] = []
    for condition in map(_mapping, _items(_inputs(rule).get("conditions"))):
        for kind in ("hostHeader", "pathPattern"):
            matched += [str(value) for value in _items(_mapping(condition.get(kind)).get("values"))]
    return "default" if matched in ([], ["/*"]) else " ".join(matched)


def _fargate(m: _Manifest, service: Resource, node_id: str) -> _Placed:
    inputs = _inputs(service)
    task = _inputs(next(iter(m.beside(service, TASK_DEFINITION)), None))
    scaling = _inputs(next(iter(m.beside(service, SCALING_TARGET)), None))
    weights = {
        _mapping(s).get("capacityProvider"): _mapping(s) for s in _items(inputs.get("capacityProviderStrategies"))
    }
    spot = _int(weights.get("FARGATE_SPOT", {}).get("weight")) or 0
    on_demand = _int(weights.get("FARGATE", {}).get("weight")) or 0
    spot_percent = round(100 * spot / (spot + on_demand)) if spot else 0
    public_ip = _mapping(inputs.get("networkConfiguration")).get("assignPublicIp") is True
    architecture = _text(_mapping(task.get("runtimePlatform")).get("cpuArchitecture"))
    release = _text(_mapping(inputs.get("deploymentConfiguration")).get("strategy"))
    rollback = _mapping(inputs.get("deploymentCircuitBreaker")).get("rollback") is True
    named = m.service_name(service) if len(m.of(ECS_SERVICE)) > 1 else None
    lines = (
        _joined("ECS Fargate", named, _plural(_int(inputs.get("desiredCount")) or 0, "task")),
        _joined(_task_size(_int(task.get("cpu")), _int(task.get("memory"))), architecture and architecture.lower()),
        _joined(
            _scaling(_int(scaling.get("minCapacity")), _int(scaling.get("maxCapacity"))),
            _spot(spot_percent, _int(weights.get("FARGATE", {}).get("base"))),
            "public IP" if public_ip else None,
        ),
        _release(release, rollback),
    )
    return _Placed(Node(node_id, lines), m.tier(service, "public" if public_ip else "private"), _target(m, service))


def _ec2(m: _Manifest, group: Resource, node_id: str) -> _Placed:
    inputs = _inputs(group)
    template = _inputs(next(iter(m.beside(group, LAUNCH_TEMPLATE)), None))
    mix = _mapping(_mapping(inputs.get("mixedInstancesPolicy")).get("instancesDistribution"))
    on_demand_above_base = _int(mix.get("onDemandPercentageAboveBaseCapacity"))
    refresh = _mapping(inputs.get("instanceRefresh"))
    strategy = _text(refresh.get("strategy"))
    rollback = _mapping(refresh.get("preferences")).get("autoRollback") is True
    lines = (
        f"EC2 Auto Scaling · {_int(inputs.get('desiredCapacity')) or 0} x {template.get('instanceType')}",
        _joined(
            _scaling(_int(inputs.get("minSize")), _int(inputs.get("maxSize"))),
            _spot(
                100 - on_demand_above_base if on_demand_above_base is not None else 0,
                _int(mix.get("onDemandBaseCapacity")),
            ),
        ),
        _release(f"instance refresh, {strategy}" if strategy else None, rollback),
    )
    return _Placed(Node(node_id, lines), m.tier(group, "private"), _target(m, group))


def _task_size(cpu: int | None, memory: int | None) -> str | None:
    if cpu is None or memory is None:
        return None
    size = f"{memory / 1024:g} GB" if memory >= 1024 else f"{memory} MB"
    return f"{cpu / 1024:g} vCPU / {size}"


def _scaling(low: int | None, high: int | None) -> str | None:
    return f"scales {low} to {high}" if low is not None and high is not None else None


def _spot(percent: int, on_demand_base: int | None) -> str | None:
    if not percent:
        return None
    return f"{percent}% Spot above {on_demand_base} on-demand" if on_demand_base else f"{percent}% Spot"


def _release(strategy: str | None, rollback: bool) -> str:
    if strategy is None:
        return ""
    return _joined(f"releases: {strategy.lower().replace('_', ' ')}", "auto-rollback" if rollback else None)


def _target(m: _Manifest, app: Resource) -> str | None:
    """What the load balancer forwards to the app: its target groups' protocol and port."""
    targets = sorted(
        {f"{_inputs(t).get('protocol')} :{_int(_inputs(t).get('port'))}" for t in m.beside(app, TARGET_GROUP)}
    )
    return ", ".join(targets) or None


def _database(m: _Manifest) -> _Placed | None:
    database = m.first(DATABASE)
    if database is None:
        return None
    inputs = _inputs(database)
    engine = str(inputs.get("engine"))
    storage, ceiling = _int(inputs.get("allocatedStorage")), _int(inputs.get("maxAllocatedStorage"))
    grows = f" to {ceiling}" if ceiling and storage and ceiling > storage else ""
    backups = _int(inputs.get("backupRetentionPeriod"))
    lines = (
        f"RDS {_ENGINES.get(engine, engine)} {inputs.get('engineVersion', '')}".rstrip(),
        _joined(_text(inputs.get("instanceClass")), "Multi-AZ" if inputs.get("multiAz") is True else "Single-AZ"),
        _joined(
            f"{storage}{grows} GB {inputs.get('storageType', '')}".rstrip() if storage else None,
            f"backups {_plural(backups, 'day')}" if backups else "no backups",
        ),
    )
    port = _int(inputs.get("port"))
    return _Placed(Node("db", lines, "store"), m.tier(database, "isolated"), f":{port}" if port else None)


def _cache(m: _Manifest) -> _Placed | None:
    """The cache: a replication group of nodes, or ElastiCache Serverless, or none."""
    nodes, serverless = m.first(CACHE_NODES), m.first(CACHE_SERVERLESS)
    if nodes is not None:
        return _cache_nodes(m, nodes)
    return _serverless_cache(m, serverless) if serverless is not None else None


def _cache_nodes(m: _Manifest, group: Resource) -> _Placed:
    inputs = _inputs(group)
    engine = str(inputs.get("engine"))
    count = _int(inputs.get("numCacheClusters"))
    if count is None:  # cluster mode: shards times (primary + replicas)
        count = (_int(inputs.get("numNodeGroups")) or 1) * ((_int(inputs.get("replicasPerNodeGroup")) or 0) + 1)
    lines = (
        f"ElastiCache {_ENGINES.get(engine, engine)} {inputs.get('engineVersion', '')}".rstrip(),
        f"{count} x {inputs.get('nodeType')}",
        _joined(
            "Multi-AZ" if inputs.get("multiAzEnabled") is True else None,
            "automatic failover" if inputs.get("automaticFailoverEnabled") is True else None,
        ),
    )
    port = _int(inputs.get("port"))
    tls = "TLS " if inputs.get("transitEncryptionEnabled") is True else ""
    return _Placed(Node("cache", lines, "store"), m.tier(group, "isolated"), f"{tls}:{port}" if port else None)


def _serverless_cache(m: _Manifest, cache: Resource) -> _Placed:
    inputs = _inputs(cache)
    engine = str(inputs.get("engine"))
    limits = _mapping(inputs.get("cacheUsageLimits"))
    storage = _mapping(limits.get("dataStorage"))
    ecpu = next((_int(_mapping(limit).get("maximum")) for limit in _items(limits.get("ecpuPerSeconds"))), None)
    lines = (
        f"ElastiCache Serverless {_ENGINES.get(engine, engine)} {inputs.get('majorEngineVersion', '')}".rstrip(),
        _joined(
            f"≤ {_int(storage.get('maximum'))} {storage.get('unit')}" if storage else None,
            f"≤ {ecpu} ECPU/s" if ecpu else None,
        ),
    )
    # ElastiCache Serverless accepts TLS connections only.
    return _Placed(Node("cache", lines, "store"), m.tier(cache, "isolated"), "TLS")


def _tables(m: _Manifest) -> list[Node]:
    nodes = []
    for number, table in enumerate(m.of(TABLE), 1):
        inputs = _inputs(table)
        owner = m.parent(table)
        # A component's type names what the table is for (webstack:data:Sessions).
        purpose = str(owner.get("type")).rsplit(":", 1)[-1].lower() if owner else str(table.get("name"))
        lines = (
            f"DynamoDB · {purpose} table",
            _joined(
                "on-demand" if inputs.get("billingMode") == "PAY_PER_REQUEST" else "provisioned",
                "TTL" if _mapping(inputs.get("ttl")).get("enabled") is True else None,
                "PITR" if _mapping(inputs.get("pointInTimeRecovery")).get("enabled") is True else None,
            ),
        )
        nodes.append(Node(f"table{number}", lines, "store"))
    return nodes


def _queues(m: _Manifest, apps: list[_Service]) -> list[tuple[Node, str, list[str]]]:
    """Each worker's queue (the one with a dead-letter queue), the worker, and the services that send to it."""
    names = {app.name for app in apps}
    found = []
    for queue in m.of(QUEUE):
        inputs = _inputs(queue)
        if not inputs.get("redrivePolicy"):
            continue
        component = str((m.parent(queue) or {}).get("name", ""))
        worker = next((name for name in names if component.endswith(f"-{name}-queue")), None)
        if worker is None:
            continue
        marker = f"{worker}_queue_url"
        senders = sorted(app.name for app in apps if app.name != worker and marker in app.environment)
        lines = ("SQS · queue of " + worker, "dead-letter queue · encrypted")
        found.append((Node(f"queue_{worker}", lines, "store"), worker, senders))
    return found


def _gateway_endpoints(m: _Manifest) -> set[str]:
    """The AWS services the VPC reaches through gateway endpoints, e.g. {"s3", "dynamodb"}."""
    return {
        str(_inputs(e).get("serviceName")).rsplit(".", 1)[-1]
        for e in m.of(VPC_ENDPOINT)
        if _inputs(e).get("vpcEndpointType") == "Gateway"
    }


def _nat(m: _Manifest) -> Node:
    gateways = m.of(NAT_GATEWAY)
    if not gateways:
        return Node("nat", ("no NAT gateway",))
    strategy = _mapping(_inputs(m.first(VPC)).get("natGateways")).get("strategy")
    # awsx creates each NAT gateway inside the public subnet of its AZ.
    zones = sorted({str(_inputs(m.parent(g)).get("availabilityZone")) for g in gateways if m.parent(g)})
    title = f"NAT gateway{'' if len(gateways) == 1 else 's'}: {len(gateways)}"
    return Node("nat", (title, _joined(_NAT_STRATEGIES.get(str(strategy)), ", ".join(zones))))


def _monitoring(m: _Manifest) -> Node | None:
    alarms, dashboards = m.of(ALARM), m.of(DASHBOARD)
    emails = {str(_inputs(s).get("endpoint")) for s in m.of(SUBSCRIPTION) if _inputs(s).get("protocol") == "email"}
    budget = _inputs(m.first(BUDGET))
    if not (alarms or dashboards or emails or budget):
        return None
    lines = (
        _joined("CloudWatch", _plural(len(alarms), "alarm"), "dashboard" if dashboards else None),
        f"SNS → {_plural(len(emails), 'email address')}" if emails else "",
        f"budget {budget.get('limitAmount')} {budget.get('limitUnit')} a month" if budget else "",
    )
    return Node("monitoring", lines)


def _access_host(m: _Manifest) -> _Placed | None:
    """The database access host: reached through Systems Manager only, forwarding to the database."""
    host = m.first(INSTANCE)
    if host is None:
        return None
    inputs = _inputs(host)
    lines = (
        f"Access host · {inputs.get('instanceType')}",
        "Systems Manager only, no inbound rule",
        "stopped outside working hours" if m.beside(host, SCHEDULE) else "",
    )
    return _Placed(Node("access", lines), m.tier(host, "private"), "port forwarding")


def _security(m: _Manifest) -> list[Node]:
    """The account's audit trail and threat detection, when this stack owns them."""
    nodes = []
    trail = _inputs(m.first(TRAIL))
    if trail:
        lines = (
            "CloudTrail · every region" if trail.get("isMultiRegionTrail") is True else "CloudTrail",
            _joined(
                "validated" if trail.get("enableLogFileValidation") is True else None,
                "KMS" if trail.get("kmsKeyId") else None,
                "S3 + CloudWatch Logs" if trail.get("cloudWatchLogsGroupArn") else "S3",
            ),
        )
        nodes.append(Node("audit", lines, "store"))
    detectors = [name for name, type_ in (("GuardDuty", DETECTOR), ("Security Hub", SECURITY_HUB)) if m.of(type_)]
    if detectors:
        nodes.append(Node("detection", (" + ".join(detectors), "high findings → alerts"), "shield"))
    return nodes


def _subnets(m: _Manifest) -> dict[str, list[Mapping[str, Any]]]:
    """The subnets awsx creates (modelled children), by tier, as their inputs."""
    tiers: dict[str, list[Mapping[str, Any]]] = {tier: [] for tier in TIERS}
    for subnet in m.of(SUBNET):
        inputs = _inputs(subnet)
        tier = str(_mapping(inputs.get("tags")).get("SubnetType", "")).lower()
        if tier in tiers:
            tiers[tier].append(inputs)
    return tiers


def _vpc(m: _Manifest, placed: Iterable[_Placed]) -> Group:
    """The VPC: its range and AZs, and one subgroup per subnet tier with what runs there."""
    subnets = _subnets(m)
    vpc = _inputs(m.first(VPC))
    zones = sorted({str(s.get("availabilityZone")) for tier in subnets.values() for s in tier}) or [
        str(zone) for zone in _items(vpc.get("availabilityZoneNames"))
    ]
    members: dict[str, list[Node | Group]] = {tier: [] for tier in TIERS}
    members["public"].append(_nat(m))
    for item in placed:
        members[item.tier].append(item.node)
    groups: list[Node | Group] = []
    for tier in TIERS:
        masks = sorted({str(s.get("cidrBlock", "")).rpartition("/")[2] for s in subnets[tier]})
        size = f"{len(subnets[tier])} x /{masks[0]}" if len(masks) == 1 else _plural(len(subnets[tier]), "subnet")
        groups.append(Group(f"tier_{tier}", f"{tier} subnets · {size}", members[tier]))
    title = _joined(f"VPC {vpc.get('cidrBlock', '')}".rstrip(), f"{_plural(len(zones), 'AZ')}: {', '.join(zones)}")
    return Group("vpc", title, groups)


def _flowchart(m: _Manifest) -> str:
    users = Node("users", ("Users",), "person")
    edge_group = Group("edge", f"Edge · {m.region(m.first(DISTRIBUTION) or {}) or 'global'}")
    services = Group("services", "Regional services")
    links: list[Edge] = []

    balancer, apps, database, cache = _load_balancer(m), _apps(m), _database(m), _cache(m)
    distribution = m.first(DISTRIBUTION)
    if distribution is not None:
        edge_group.members.append(_cloudfront(distribution))
        links.append(Edge(users.id, "cdn", _viewer_protocol(distribution)))
        for node, link in ((_waf(m), "filters"), (_certificate(m, distribution), "TLS")):
            if node is not None:
                edge_group.members.append(node)
                links.append(Edge(node.id, "cdn", link, dotted=True))
        if balancer is not None:
            links.append(Edge("cdn", balancer.node.id, _app_origin(m, distribution)))
        assets = _static_assets(m, distribution)
        if assets is not None:
            services.members.append(assets[0])
            links.append(Edge("cdn", assets[0].id, assets[1]))
    elif balancer is not None:
        links.append(Edge(users.id, balancer.node.id))

    stores = [store for store in (database, cache) if store is not None]
    tables = _tables(m)
    queues = _queues(m, apps)
    through = "gateway endpoint" if "dynamodb" in _gateway_endpoints(m) else "HTTPS"
    by_name = {app.name: app for app in apps}
    for app in apps:
        node, single = app.placed.node, len(apps) == 1
        reaches = m.reaches(app.name)
        if balancer is not None and (single or app.route is not None):
            label = app.placed.link if single or app.route == "default" else _joined(app.route, app.placed.link)
            links.append(Edge(balancer.node.id, node.id, label))
        # Several services: only the stores each one's security group reaches; one: the whole data tier.
        links += [Edge(node.id, s.node.id, s.link) for s in stores if single or _STORE_LABELS[s.node.id] in reaches]
        links += [Edge(node.id, table.id, through) for table in tables if single or "sessions" in app.environment]
        links += [
            Edge(node.id, by_name[peer].placed.node.id, "Service Connect")
            for peer in sorted(reaches & set(by_name))
            if peer != app.name
        ]
        if m.of(NAT_GATEWAY) and app.placed.tier == "private":
            links.append(Edge(node.id, "nat", "egress", dotted=True))
    for queue, worker, senders in queues:
        links.append(Edge(queue.id, by_name[worker].placed.node.id, "messages"))
        links += [Edge(by_name[sender].placed.node.id, queue.id, "sends", dotted=True) for sender in senders]
        services.members.append(queue)
    services.members += tables
    monitoring = _monitoring(m)
    if monitoring is not None:
        services.members.append(monitoring)
    security = _security(m)
    services.members += security
    if monitoring is not None and any(node.id == "detection" for node in security):
        links.append(Edge("detection", monitoring.id, "findings", dotted=True))
    access = _access_host(m)
    if access is not None and database is not None:
        links.append(Edge(access.node.id, database.node.id, access.link))

    placed = [item for item in (balancer, *(app.placed for app in apps), *stores, access) if item is not None]
    region = Group("region", f"Region {m.main_region() or ''}".rstrip(), [_vpc(m, placed), services])
    return _render([users, edge_group, region], links)


def manifest_data(plan: Mapping[str, Any] | OfflineRun) -> Mapping[str, Any]:
    """The manifest of a run, or the manifest itself (e.g. a `plan --json` file, parsed)."""
    if isinstance(plan, Mapping):
        return plan
    from ops.manifest import manifest  # needs the SDK, already loaded by whoever made the run

    return manifest(plan)


def mermaid(plan: Mapping[str, Any] | OfflineRun) -> str:
    """The planned stack as a Mermaid flowchart: the same plan always gives the same text."""
    return _flowchart(_Manifest(manifest_data(plan)))


def markdown(plan: Mapping[str, Any] | OfflineRun) -> str:
    """The flowchart in a ```mermaid fence under a one-line title, for a pull-request comment."""
    data = manifest_data(plan)
    title = f"**webstack stack `{printable(str(data.get('stack', '')))}`**: the architecture its plan produces"
    return f"{title}\n\n```mermaid\n{mermaid(data)}\n```"


# -- docs/architecture.md --------------------------------------------------------------------------


def plan_stack_file(stack: str, path: Path) -> OfflineRun:
    """Validate a stack file, then run the program on it offline."""
    from ops.engine import run_offline  # the SDK is slow to import: only commands that plan pay for it

    values = read_stack_file(path)
    parse_config(values, source=printable(str(path)))  # bad config stops here, before anything is registered
    return run_offline(stack, values)


def shipped_stacks() -> list[tuple[str, Path]]:
    """The stack files the project ships, each with the stack name its diagram is planned as."""
    files = [*sorted(ROOT.glob("Pulumi.*.yaml")), *sorted((ROOT / "examples").glob("Pulumi.*.yaml"))]
    return [(path.name.removeprefix("Pulumi.").removesuffix(".yaml"), path) for path in files]


def render_architecture(plan: Planner = plan_stack_file) -> str:
    """docs/architecture.md: the diagram of every shipped stack, drawn from its offline plan."""
    lines = [
        "# Architecture",
        "",
        f"<!-- Generated by `{REGENERATE}` from the offline plans; edit the stack files, not this. -->",
        "",
        "Each diagram is drawn from the offline plan of a shipped stack file, not by hand: what a box says",
        "(instance class, counts, Multi-AZ, NAT gateways, WAF) is what the program registers for that config.",
        "A box inside the VPC sits in the subnet tier it runs in; a dotted arrow is an attachment (WAF,",
        "certificate) or the app's way out to the internet.",
        "Draw any config the same way, e.g. for a pull request:",
        "`python -m ops diagram STACK --config FILE --markdown`.",
        f"A test fails when this file is stale; regenerate it with `{REGENERATE}`.",
    ]
    for stack, path in shipped_stacks():
        relative = path.relative_to(ROOT).as_posix()
        option = "" if path == ROOT / stack_file_name(stack) else f" --config {relative}"
        summary = _summary(path)
        lines += ["", f"## {stack}", "", *([summary, ""] if summary else [])]
        lines += [
            f"`{relative}`: `python -m ops diagram {stack}{option}`",
            "",
            "```mermaid",
            mermaid(plan(stack, path)),
            "```",
        ]
    return "\n".join(lines) + "\n"


def _summary(path: Path) -> str:
    """The first sentence of the comment a stack file opens with: what that stack is for."""
    comment = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        comment.append(line.lstrip("# ").strip())
    text = " ".join(comment)
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


# -- the command -----------------------------------------------------------------------------------


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `diagram` and its arguments on the `python -m ops` subcommands."""
    diagram = commands.add_parser("diagram", help="draw the planned stack as a Mermaid flowchart")
    diagram.add_argument("stack", metavar="STACK", nargs="?", help="plan Pulumi.STACK.yaml and draw it")
    source = diagram.add_mutually_exclusive_group()
    source.add_argument("--config", metavar="FILE", help="draw this stack file instead")
    source.add_argument("--manifest", metavar="FILE", help="draw a plan's JSON manifest (`ops plan STACK --json`)")
    source.add_argument(
        "--write-docs",
        action="store_true",
        help="regenerate docs/architecture.md from every shipped stack file (no STACK)",
    )
    diagram.add_argument("--markdown", action="store_true", help="print a ```mermaid fence under a one-line title")
    diagram.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """`python -m ops diagram STACK [--config FILE | --manifest FILE] [--markdown]`, or `--write-docs`."""
    if args.write_docs:
        if args.stack or args.markdown:
            raise DiagramError("--write-docs draws every shipped stack file: give it no STACK and no --markdown")
        ARCHITECTURE.write_text(render_architecture(), encoding="utf-8")
        print(f"wrote {ARCHITECTURE}")
        return 0
    if args.manifest:
        plan: Mapping[str, Any] | OfflineRun = _read_manifest(Path(args.manifest))
    elif args.stack:
        from ops.cli import stack_file  # here, not at the top: ops.cli imports this module

        plan = plan_stack_file(args.stack, stack_file(args.stack, args.config))
    else:
        raise DiagramError("nothing to draw: name a STACK, or give --manifest FILE or --write-docs")
    print(markdown(plan) if args.markdown else mermaid(plan))
    return 0


def _read_manifest(path: Path) -> Mapping[str, Any]:
    shown = printable(str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DiagramError(f"{shown}: cannot read the manifest: {error.strerror}") from None
    except ValueError as error:  # not UTF-8, or not JSON
        raise DiagramError(f"{shown}: not a plan manifest (`python -m ops plan STACK --json`): {error}") from None
    if not isinstance(data, Mapping):
        raise DiagramError(f"{shown}: not a plan manifest (`python -m ops plan STACK --json`): not a JSON object")
    return data
