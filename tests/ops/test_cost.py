"""`ops cost`: the bill of a plan, line by line, worked out by hand on a small plan; the targets the presets
are designed for; regions without prices; the JSON shape; what a change of stack file does to the bill."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from config import parse_config
from config.stackfile import read_stack_file
from ops.cli import main
from ops.cost.estimate import FREE, PRICED, estimate
from ops.cost.prices import NoPriceError, PriceBook, priced_regions
from ops.cost.report import compare, price_stack_file
from ops.engine import OfflineRun
from ops.mocks.monitor import Registration
from tests.conftest import ROOT, stack_values

EXAMPLES = ROOT / "examples"


def registration(
    type_: str, name: str, inputs: dict, outputs: dict | None = None, deps: dict[str, Registration] | None = None
) -> Registration:
    return Registration(
        urn=f"urn:pulumi:t::webstack::{type_}::{name}",
        type=type_,
        name=name,
        custom=True,
        parent=None,
        provider=None,
        inputs=inputs,
        protect=False,
        retain_on_delete=False,
        depends_on=(),
        aliases=(),
        outputs=outputs or {},
        property_dependencies={key: (source.urn,) for key, source in (deps or {}).items()},
    )


# Round prices, so that the bill below can be worked out by hand.
PRICES = PriceBook(
    "eu-west-1",
    "USD",
    "2026-11-26",
    {
        "natGatewayHour": 0.05,
        "natGatewayGb": 0.05,
        "publicIpv4Hour": 0.005,
        "albHour": 0.02,
        "albLcuHour": 0.01,
        "fargateVcpuHour": {"arm64": 0.04},
        "fargateGbHour": {"arm64": 0.004},
        "fargateSpotVcpuHour": {"arm64": 0.01},
        "fargateSpotGbHour": {"arm64": 0.001},
        "rdsPostgresInstanceHour": {"db.t4g.micro": 0.02},
        "rdsMultiAzFactor": 2,
        "rdsGp3GbMonth": 0.1,
        "secretsManagerSecretMonth": 0.4,
        "cloudwatchAlarmMetricMonth": 0.1,
    },
)


def small_plan() -> OfflineRun:
    task = registration(
        "aws:ecs/taskDefinition:TaskDefinition",
        "task",
        {"cpu": "512", "memory": "1024", "runtimePlatform": {"cpuArchitecture": "ARM64"}},
        {"arn": "arn:task:1"},
    )
    return OfflineRun(
        "webstack",
        "t",
        (
            registration("aws:ec2/natGateway:NatGateway", "nat", {}),
            registration("aws:ec2/eip:Eip", "nat-ip", {}),
            registration("aws:lb/loadBalancer:LoadBalancer", "alb", {"internal": True, "subnets": ["a", "b"]}),
            task,
            registration(
                "aws:ecs/service:Service",
                "app",
                {
                    "taskDefinition": "arn:task:1",
                    "desiredCount": 5,
                    "capacityProviderStrategies": [
                        {"capacityProvider": "FARGATE", "base": 1, "weight": 50},
                        {"capacityProvider": "FARGATE_SPOT", "weight": 50},
                    ],
                    "networkConfiguration": {"assignPublicIp": False},
                },
                deps={"taskDefinition": task},
            ),
            registration(
                "aws:rds/instance:Instance",
                "db",
                {
                    "instanceClass": "db.t4g.micro",
                    "multiAz": True,
                    "allocatedStorage": 20,
                    "manageMasterUserPassword": True,
                },
            ),
            registration(
                "aws:cloudwatch/metricAlarm:MetricAlarm",
                "alarm",
                {
                    "metricQueries": [
                        {"id": "a", "metric": {}},
                        {"id": "b", "metric": {}},
                        {"id": "r", "expression": "a+b"},
                    ]
                },
            ),
        ),
        {},
    )


def small_config():
    values = stack_values("dev")
    values["webstack:usage"] = {
        "requestsPerMonth": 0,
        "dataOutGb": 0,
        "natDataGb": 100,
        "logIngestGb": 0,
        "flowLogGb": 0,
    }
    return parse_config(values)


def test_the_bill_of_a_small_plan_is_what_the_prices_give_by_hand():
    bill = estimate(small_plan(), small_config(), PRICES)
    by_line = {(line.urn.rsplit("::", 1)[-1], line.description): round(line.monthly, 4) for line in bill.lines}

    assert by_line == {
        ("nat", "NAT gateway"): 730 * 0.05,  # 36.50
        ("nat", "NAT data processed (usage)"): 100 * 0.05,  # 5.00
        ("nat-ip", "Public IPv4 address (NAT gateway)"): 730 * 0.005,  # 3.65
        ("alb", "Application Load Balancer"): 730 * 0.02,  # 14.60
        ("alb", "Load balancer capacity units (usage)"): 0.0,  # no traffic assumed
        # 5 tasks: the base of 1 on Fargate, the other 4 split 50/50 by weight: 3 on Fargate, 2 on Spot.
        ("app", "Fargate tasks (0.5 vCPU, 1 GB, arm64)"): round(3 * 730 * (0.5 * 0.04 + 1 * 0.004), 4),  # 52.56
        ("app", "Fargate Spot tasks (0.5 vCPU, 1 GB, arm64)"): round(2 * 730 * (0.5 * 0.01 + 1 * 0.001), 4),  # 8.76
        ("db", "RDS PostgreSQL db.t4g.micro (Multi-AZ)"): 730 * 0.02 * 2,  # 29.20
        ("db", "gp3 storage (Multi-AZ)"): 20 * 0.1 * 2,  # 4.00
        ("db", "Master password secret (Secrets Manager)"): 0.4,
        ("alarm", "CloudWatch alarm (per metric it reads)"): 2 * 0.1,  # the expression is free
    }
    assert round(bill.monthly_total, 2) == 154.87


def test_the_audit_threat_detection_and_access_host_lines_are_what_the_prices_give_by_hand():
    prices = PriceBook(
        "eu-west-1",
        "USD",
        "2026-11-26",
        {
            "cloudTrailFirstCopyMillion": 0.0,
            "cloudwatchLogsIngestGb": 0.5,
            "cloudwatchLogsStorageGbMonth": 0.03,
            "s3StandardGbMonth": 0.02,
            "guardDutyEventsMillion": 4.0,
            "guardDutyLogGb": 1.0,
            "securityHubChecks1k": 1.0,
            "ec2InstanceHour": {"t4g.nano": 0.004},
            "ebsGp3GbMonth": 0.08,
        },
    )
    group = registration("aws:cloudwatch/logGroup:LogGroup", "trail-logs", {"retentionInDays": 90})
    bucket = registration("aws:s3/bucket:Bucket", "trail-bucket", {})
    lifecycle = registration(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "trail-lifecycle",
        {"rules": [{"expiration": {"days": 360}}]},
        deps={"bucket": bucket},
    )
    trail = registration(
        "aws:cloudtrail/trail:Trail", "trail", {}, deps={"cloudWatchLogsGroupArn": group, "s3BucketName": bucket}
    )
    plan = OfflineRun(
        "webstack",
        "t",
        (
            group,
            bucket,
            lifecycle,
            trail,
            registration("aws:guardduty/detector:Detector", "detector", {}),
            registration("aws:securityhub/account:Account", "hub", {}),
            registration(
                "aws:ec2/instance:Instance",
                "host",
                {"instanceType": "t4g.nano", "rootBlockDevice": {"volumeSize": 8}},
            ),
        ),
        {},
    )
    values = stack_values("dev")
    values["webstack:usage"] = {"managementEventsMillion": 2, "flowLogGb": 10, "securityChecks": 30_000}

    bill = estimate(plan, parse_config(values), prices)
    by_line = {(line.urn.rsplit("::", 1)[-1], line.description): round(line.monthly, 4) for line in bill.lines}

    assert by_line == {
        ("trail", "CloudTrail management events, first copy"): 0.0,
        # 2 million events of 1.5 KB: 3 GB a month, kept 90 days in CloudWatch Logs and 360 in the bucket.
        ("trail", "Audit events to CloudWatch Logs (usage)"): 3 * 0.5,
        ("trail", "Audit events in CloudWatch Logs"): round(3 * 3 * 0.03, 4),
        ("trail", "Audit log files in S3"): round(3 * 12 * 0.02, 4),
        ("detector", "GuardDuty management events analysed (usage)"): 2 * 4.0,
        ("detector", "GuardDuty flow and DNS logs analysed (usage)"): 10 * 1.0,
        ("hub", "Security Hub security checks (usage)"): 30.0,
        ("host", "EC2 t4g.nano (around the clock)"): round(730 * 0.004, 4),
        ("host", "EBS gp3 root volume"): round(8 * 0.08, 4),
    }


def test_a_resource_type_without_a_pricing_rule_stops_the_estimate():
    plan = small_plan()
    unknown = registration("aws:sns/platformApplication:PlatformApplication", "p", {})
    unpriced = OfflineRun("webstack", "t", (*plan.registrations, unknown), {})
    with pytest.raises(NoPriceError, match=r"no pricing rule for aws:sns/platformApplication:PlatformApplication"):
        estimate(unpriced, small_config(), PRICES)


def test_a_price_the_file_lacks_is_named():
    plan = small_plan()
    bigger = OfflineRun(
        "webstack",
        "t",
        tuple(
            registration(r.type, r.name, {**r.inputs, "instanceClass": "db.r7g.16xlarge"}, r.outputs)
            if r.type == "aws:rds/instance:Instance"
            else r
            for r in plan.registrations
        ),
        {},
    )
    with pytest.raises(NoPriceError, match=r"has no price for rdsPostgresInstanceHour/db.r7g.16xlarge"):
        estimate(bigger, small_config(), PRICES)


def test_every_resource_type_the_shipped_plans_hold_is_priced_or_known_free(shipped_run):
    types = {r.type for stack in ("dev", "prod") for r in shipped_run(stack).registrations if r.custom}
    assert types - set(PRICED) - FREE == set()


# -- the stacks the presets are designed for -------------------------------------------------------------


@pytest.fixture
def estimates(stack_file_run) -> dict[str, float]:
    """The monthly totals of the shipped stacks and the examples, from their (session-cached) plans."""
    files = {
        "dev": "Pulumi.dev.yaml",
        "prod": "Pulumi.prod.yaml",
        "dev-lean": "examples/Pulumi.dev-lean.yaml",
        "prod-minimal": "examples/Pulumi.prod-minimal.yaml",
        "prod-ec2": "examples/Pulumi.prod-ec2.yaml",
    }
    totals = {}
    for name, relative in files.items():
        config = parse_config(read_stack_file(ROOT / relative))
        totals[name] = estimate(stack_file_run(relative), config, PriceBook.for_region(config.region)).monthly_total
    return totals


def test_dev_costs_under_90_dollars_a_month(estimates):
    assert 50 < estimates["dev"] < 90


def test_the_lean_dev_example_costs_under_50(estimates):
    assert estimates["dev-lean"] < 50


def test_the_minimal_ha_prod_example_costs_under_250(estimates):
    assert estimates["prod-minimal"] < 250


def test_the_shipped_prod_stays_within_its_configured_budget(estimates):
    budget = parse_config(stack_values("prod")).observability.monthly_budget_usd
    assert estimates["dev"] < estimates["prod-minimal"] < estimates["prod"] < budget


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_price_file_prices_every_shipped_stack(tmp_path: Path, region, stack):
    values = stack_values(stack)
    values["aws:region"] = region
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": values}))

    assert price_stack_file(stack, path).region == region


def test_price_files_say_when_and_where_their_prices_come_from():
    for region in priced_regions():
        data = json.loads((ROOT / "ops" / "cost" / "prices" / f"{region}.json").read_text())
        assert (data["region"], data["currency"]) == (region, "USD")
        assert set(data["sources"]) >= set(data["prices"]), f"{region}: a price without a source"


# -- the command ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def ops(capsys):
    """`python -m ops ARGS`, in this process (the command line's own tests run it as a subprocess)."""

    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def test_a_region_without_prices_says_so_and_exits_non_zero(ops, tmp_path: Path):
    values = stack_values("dev")
    values["aws:region"] = "ap-southeast-2"
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text(yaml.safe_dump({"config": values}))

    result = ops("cost", "dev", "--config", str(stack))

    assert result.returncode == 1
    assert "no prices for ap-southeast-2" in result.stderr
    assert "eu-west-1, us-east-1" in result.stderr


def test_json_has_the_documented_shape(ops):
    result = ops("cost", "dev", "--json")
    data = json.loads(result.stdout)

    assert set(data) == {"stack", "region", "currency", "pricesTakenOn", "monthlyTotal", "lines", "assumptions"}
    assert (data["stack"], data["region"], data["currency"]) == ("dev", "eu-west-1", "USD")
    assert {tuple(sorted(line)) for line in data["lines"]} == {
        ("description", "monthly", "quantity", "type", "unit", "urn")
    }
    assert round(sum(line["monthly"] for line in data["lines"]), 1) == round(data["monthlyTotal"], 1)
    assert data["assumptions"]["requestsPerMonth"] == 1_000_000


def test_usage_flags_override_the_stack_files_assumptions(ops):
    data = json.loads(ops("cost", "dev", "--json", "--requests", "10000000").stdout)
    (requests,) = [line for line in data["lines"] if line["description"] == "CloudFront HTTPS requests (usage)"]
    assert requests["quantity"] == 1000  # 10 million requests in tens of thousands
    assert data["assumptions"]["requestsPerMonth"] == 10_000_000


def test_comparing_a_config_that_adds_a_nat_gateway_shows_that_gateway_and_its_address(ops, tmp_path: Path):
    values = stack_values("dev")
    values["webstack:network"]["natGateways"] = "onePerAz"
    proposed = tmp_path / "Pulumi.dev.yaml"
    proposed.write_text(yaml.safe_dump({"config": values}))

    before = price_stack_file("dev", ROOT / "Pulumi.dev.yaml")
    after = price_stack_file("dev", proposed)
    changes = {(change.line.urn.rsplit("::", 1)[-1], change.line.description) for change in compare(before, after)}

    assert changes == {
        ("webstack-dev-network-vpc-2", "NAT gateway"),
        ("webstack-dev-network-vpc-2", "Public IPv4 address (NAT gateway)"),
    }
    assert round(after.monthly_total - before.monthly_total, 2) == round(730 * (0.048 + 0.005), 2)

    printed = ops("cost", "dev", "--compare", str(proposed)).stdout
    assert "+35.04" in printed
    assert "+3.65" in printed


# The settings that move the bill most: each says what it costs, and the generated reference shows it.
COST_LEVERS = (
    ("network", "nat_gateways"),
    ("network", "availability_zones"),
    ("network", "interface_endpoints"),
    ("network.flow_logs", "enabled"),
    ("edge.waf", "enabled"),
    ("compute.services", "desired_count"),
    ("compute.services.fargate", "spot_percent"),
    ("compute.fargate", "container_insights"),
    ("data.postgres", "instance_class"),
    ("data.postgres", "multi_az"),
    ("data.postgres", "allocated_storage_gb"),
    ("data.cache", "enabled"),
    ("data.cache", "mode"),
    ("data.cache", "node_type"),
    ("data.cache", "replicas"),
    ("observability", "dashboard"),
    ("observability", "access_logs"),
)


@pytest.mark.parametrize(("section", "field"), COST_LEVERS)
def test_each_cost_lever_says_what_it_costs_in_the_reference(section, field):
    from config.compute import FargateConfig, FargateServiceConfig, ServiceConfig
    from config.data import CacheConfig, PostgresConfig
    from config.edge import WafConfig
    from config.network import FlowLogsConfig, NetworkConfig
    from config.observability import ObservabilityConfig

    models = {
        "network": NetworkConfig,
        "network.flow_logs": FlowLogsConfig,
        "edge.waf": WafConfig,
        "compute.services": ServiceConfig,
        "compute.services.fargate": FargateServiceConfig,
        "compute.fargate": FargateConfig,
        "data.postgres": PostgresConfig,
        "data.cache": CacheConfig,
        "observability": ObservabilityConfig,
    }
    description = models[section].model_fields[field].description or ""
    assert "$" in description or "cheaper" in description, f"{section}.{field}: {description}"
    reference = (ROOT / "docs" / "config.md").read_text()
    assert description.split("$")[0][:40] in reference
