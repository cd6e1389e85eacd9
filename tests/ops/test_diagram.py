"""`python -m ops diagram`: the architecture a config produces, drawn from its plan and never assumed.

Each test reads the Mermaid text back (`Chart`): which box sits in which group, what it says, and
which arrows join them, so an assertion names what a reviewer would see.
"""

from __future__ import annotations

import argparse
import copy
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ops.diagram import (
    ARCHITECTURE,
    REGENERATE,
    DiagramError,
    add_parser,
    markdown,
    mermaid,
    render_architecture,
    shipped_stacks,
)
from ops.engine import OfflineRun
from ops.manifest import manifest, to_json
from tests.conftest import ROOT

_NODE = re.compile(r'(\w+)(\(\[|\[\(|\{\{|\[)"([^"]*)"(\]\)|\)\]|\}\}|\])')
_GROUP = re.compile(r'subgraph (\w+)\["([^"]*)"\]')
_EDGE = re.compile(r'(\w+) (-->|-\.->)(?:\|"([^"]*)"\|)? (\w+)')


def _text(label: str) -> str:
    """A label as Mermaid shows it: its entity codes (#quot;, #35;) decoded, <br/> as a newline."""
    entities = re.sub(r"#(\d+);", r"&#\1;", re.sub(r"#([A-Za-z]+);", r"&\1;", label))
    return html.unescape(entities.replace("<br/>", "\n"))


@dataclass
class Chart:
    """A flowchart read back: node labels, the groups around each node, group titles, and the arrows."""

    nodes: dict[str, str] = field(default_factory=dict)
    within: dict[str, tuple[str, ...]] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    edges: dict[tuple[str, str], str] = field(default_factory=dict)
    dotted: set[tuple[str, str]] = field(default_factory=set)

    def label(self, node: str) -> str:
        assert node in self.nodes, f"no {node} in {sorted(self.nodes)}"
        return self.nodes[node]

    def group_of(self, node: str) -> str:
        return self.within[node][-1]


def chart(text: str) -> Chart:
    """Parse the flowchart the way Mermaid would, failing on any line that is not a node, group or arrow."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    parsed, open_groups = Chart(), []
    for line in lines[1:]:
        stripped = line.strip()
        if node := _NODE.fullmatch(stripped):
            assert node[1] not in parsed.nodes, f"node {node[1]} declared twice"
            parsed.nodes[node[1]] = _text(node[3])
            parsed.within[node[1]] = tuple(open_groups)
        elif group := _GROUP.fullmatch(stripped):
            parsed.groups[group[1]] = _text(group[2])
            open_groups.append(group[1])
        elif stripped == "end":
            open_groups.pop()
        elif edge := _EDGE.fullmatch(stripped):
            source, target = edge[1], edge[4]
            assert {source, target} <= parsed.nodes.keys(), f"arrow to an undeclared node: {line}"
            parsed.edges[(source, target)] = _text(edge[3] or "")
            if edge[2] == "-.->":
                parsed.dotted.add((source, target))
        else:
            pytest.fail(f"not a Mermaid flowchart line: {line!r}")
    assert not open_groups, f"subgraphs never closed: {open_groups}"
    return parsed


@pytest.fixture
def stack_plan(stack_file_run):
    """Plan a shipped stack file once per session (tests/conftest.py)."""

    def plan(stack: str, path: Path) -> OfflineRun:
        return stack_file_run(str(path.relative_to(ROOT)))

    return plan


@pytest.fixture
def example(stack_plan):
    def draw(name: str) -> Chart:
        return chart(mermaid(stack_plan(name, ROOT / "examples" / f"Pulumi.{name}.yaml")))

    return draw


def test_prod_shows_every_tier(shipped_run):
    prod = chart(mermaid(shipped_run("prod")))

    # The edge: CloudFront on the custom domain, behind the WAF, with its certificate from us-east-1.
    assert prod.edges[("users", "cdn")] == "HTTPS"
    assert prod.label("cdn").splitlines() == ["CloudFront · app.example.com", "PriceClass_All · HTTP/2+3 · IPv6"]
    assert prod.label("waf").startswith("WAF · 5 rules")
    assert "rate limit 2000 per IP / 5 min" in prod.label("waf")
    assert "app.example.com" in prod.label("cert")
    assert {prod.group_of(node) for node in ("cdn", "waf", "cert")} == {"edge"}
    assert "us-east-1" in prod.groups["edge"]
    assert {("waf", "cdn"), ("cert", "cdn")} <= prod.dotted

    # The VPC: three AZs, a NAT gateway in each, the load balancer and app private, the stores isolated.
    assert prod.groups["vpc"] == "VPC 10.30.0.0/16 · 3 AZs: eu-west-1a, eu-west-1b, eu-west-1c"
    assert prod.groups["region"] == "Region eu-west-1"
    assert prod.label("nat") == "NAT gateways: 3\none per AZ · eu-west-1a, eu-west-1b, eu-west-1c"
    assert prod.within["alb"] == ("region", "vpc", "tier_private")
    assert prod.label("alb").splitlines()[:2] == ["Application Load Balancer", "internal, no public address"]
    assert prod.edges[("cdn", "alb")] == "VPC origin · HTTPS"
    assert prod.group_of("app") == "tier_private"
    assert prod.label("app").splitlines()[:3] == ["ECS Fargate · 3 tasks", "1 vCPU / 2 GB · arm64", "scales 3 to 12"]
    assert prod.edges[("alb", "app")] == "HTTP :80"
    assert prod.group_of("db") == prod.group_of("cache") == "tier_isolated"
    assert prod.label("db").splitlines()[:2] == ["RDS PostgreSQL 16", "db.m7g.large · Multi-AZ"]
    assert prod.label("cache").splitlines()[:3] == [
        "ElastiCache Valkey 8.0",
        "3 x cache.m7g.large",
        "Multi-AZ · automatic failover",
    ]
    assert prod.edges[("app", "db")] == ":5432"
    assert prod.edges[("app", "cache")] == "TLS :6379"
    assert ("app", "nat") in prod.dotted

    # The regional services: the sessions table, the static bucket behind CloudFront, the alarms.
    assert prod.label("table1").startswith("DynamoDB · sessions table\non-demand · TTL · PITR")
    assert prod.edges[("app", "table1")] == "gateway endpoint"
    assert prod.edges[("cdn", "assets")] == "OAC · /static/*"
    assert {prod.group_of(node) for node in ("table1", "assets", "monitoring")} == {"services"}
    assert "budget 3000 USD a month" in prod.label("monitoring")


def test_dev_draws_the_cheap_choices_its_plan_made(shipped_run):
    dev = chart(mermaid(shipped_run("dev")))

    assert "waf" not in dev.nodes
    assert "cert" not in dev.nodes
    assert dev.label("cdn").startswith("CloudFront · *.cloudfront.net\nPriceClass_100")
    assert dev.edges[("cdn", "alb")] == "VPC origin · HTTP"  # no certificate, so no HTTPS to the origin
    assert dev.label("nat") == "NAT gateway: 1\nsingle · eu-west-1a"
    assert dev.groups["vpc"].endswith("2 AZs: eu-west-1a, eu-west-1b")
    assert dev.label("cache").startswith("ElastiCache Serverless Valkey 8")
    assert dev.label("db").splitlines()[1] == "db.t4g.micro · Single-AZ"
    assert "100% Spot" in dev.label("app")


def test_a_stack_without_nat_or_cache_draws_neither(example, shipped_run):
    lean = example("dev-lean")  # natGateways: none, cache.enabled: false
    dev = chart(mermaid(shipped_run("dev")))

    assert "cache" in dev.nodes
    assert "cache" not in lean.nodes
    assert ("app", "nat") in dev.edges
    assert lean.label("nat") == "no NAT gateway"
    assert not any("nat" in edge for edge in lean.edges)
    # Without NAT the app runs in the public subnets with a public address; awsx makes no private tier.
    assert lean.group_of("app") == lean.group_of("alb") == "tier_public"
    assert "public IP" in lean.label("app")
    assert "tier_private" not in lean.groups


def test_the_ec2_example_draws_an_auto_scaling_group(example):
    ec2 = example("prod-ec2")

    assert ec2.label("app").splitlines()[:2] == ["EC2 Auto Scaling · 3 x m7g.large", "scales 3 to 9"]
    assert "instance refresh" in ec2.label("app")
    assert ec2.group_of("app") == "tier_private"
    assert ec2.edges[("alb", "app")] == "HTTP :80"


def test_an_internet_facing_load_balancer_is_drawn_public_with_its_secret_header(plan, prod_values):
    prod_values["webstack:edge"]["vpcOrigin"] = False
    public = chart(mermaid(plan(prod_values, "prod")))

    assert public.group_of("alb") == "tier_public"
    assert public.label("alb").splitlines()[1] == "internet-facing, admits CloudFront's origin ranges"
    assert public.edges[("cdn", "alb")] == "internet · secret header"
    # The secret header hides the distribution's origins in the manifest; the static bucket is still drawn.
    assert public.edges[("cdn", "assets")] == "OAC · /static/*"


def test_labels_are_escaped_so_plan_values_cannot_change_the_chart(shipped_run):
    data = copy.deepcopy(manifest(shipped_run("prod")))
    hostile = 'x"] --> evil["<b>#1</b> | `y` & \x1b[31m'
    distribution = next(r for r in data["resources"] if r["type"] == "aws:cloudfront/distribution:Distribution")
    distribution["inputs"]["aliases"] = [hostile]

    text = mermaid(data)
    drawn = chart(text)  # every line still a node, group or arrow

    assert "evil" not in drawn.nodes
    assert drawn.label("cdn").splitlines()[0] == 'CloudFront · x"] --> evil["<b>#1</b> | `y` & \\x1b[31m'
    assert "\x1b" not in text


def test_the_same_plan_always_draws_the_same_text(shipped_run, plan, dev_values):
    run = shipped_run("dev")
    drawn = mermaid(run)

    assert mermaid(plan(dev_values, "dev")) == drawn  # a second run of the program
    assert mermaid(json.loads(to_json(run))) == drawn  # its `plan --json` manifest


def test_architecture_doc_has_every_shipped_stack_and_is_up_to_date(stack_plan):
    stacks = [stack for stack, _ in shipped_stacks()]
    assert stacks[:2] == ["dev", "prod"]
    assert {"dev-lean", "prod-ec2", "prod-minimal"} <= set(stacks)

    expected = render_architecture(stack_plan)
    for stack in stacks:
        assert f"\n## {stack}\n" in expected
    assert ARCHITECTURE.read_text(encoding="utf-8") == expected, f"{ARCHITECTURE} is stale: run `{REGENERATE}`"


def _diagram(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    args = parser.parse_args(["diagram", *argv])
    code: int = args.handler(args)
    return code


def test_diagram_command_draws_a_manifest_file(tmp_path, shipped_run, capsys):
    run = shipped_run("prod")
    path = tmp_path / "plan.json"
    path.write_text(to_json(run), encoding="utf-8")

    assert _diagram("--manifest", str(path), "--markdown") == 0

    out = capsys.readouterr().out
    assert out.startswith("**webstack stack `prod`**")
    assert "\n\n```mermaid\nflowchart LR\n" in out
    assert out == markdown(run) + "\n"
    assert _diagram("--manifest", str(path)) == 0
    assert capsys.readouterr().out == mermaid(run) + "\n"


def test_diagram_command_says_what_is_wrong(tmp_path):
    with pytest.raises(DiagramError, match="nothing to draw") as nothing:
        _diagram()
    assert nothing.value.exit_code == 2
    with pytest.raises(DiagramError, match="give it no STACK"):
        _diagram("prod", "--write-docs")
    broken = tmp_path / "plan.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(DiagramError, match="not a plan manifest"):
        _diagram("--manifest", str(broken))
    broken.write_text('{"stack": "prod"}', encoding="utf-8")
    with pytest.raises(DiagramError, match="no list of resources"):
        _diagram("--manifest", str(broken))
    with pytest.raises(DiagramError, match="cannot read"):
        _diagram("--manifest", str(tmp_path / "missing.json"))
