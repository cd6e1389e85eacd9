"""`webstack:compute.services`: the map of services, its presets, and the ways a hostile stack file gets it wrong."""

from __future__ import annotations

import pytest

from config.loader import parse_config

WEB = {"image": "public.ecr.aws/nginx/nginx:1.27"}


@pytest.fixture
def services(prod_values, put):
    """The prod stack with `compute.services` set to the given map."""

    def build(services: dict) -> dict:
        return put(prod_values, "compute", {"kind": "fargate", "services": services})

    return build


def test_each_service_gets_the_kind_preset_and_non_public_ones_roll(services):
    config = parse_config(
        services({"web": WEB, "jobs": {**WEB, "type": "worker"}, "users": {**WEB, "type": "internal"}})
    )
    compute = config.compute

    assert compute.container_insights.value == "enhanced"
    assert {name: (s.cpu, s.min_count) for name, s in compute.services.items()} == {
        "web": (1024, 3),
        "jobs": (1024, 3),
        "users": (1024, 3),
    }
    strategies = {name: s.deployment.strategy.value for name, s in compute.services.items()}
    assert strategies == {"web": "canary", "jobs": "rolling", "users": "rolling"}


@pytest.mark.parametrize(
    ("service_map", "key", "message"),
    [
        (
            {"web": WEB, "api": {**WEB, "routing": {"paths": ["/api/*"]}, "allowFrom": ["nope"]}},
            "services",
            "api names nope, which is not a service",
        ),
        ({"web": {**WEB, "allowFrom": ["web"]}}, "services", "web lists itself as a caller"),
        ({"web": WEB, "www": WEB}, "services", "web and www both take every request"),
        ({"jobs": {**WEB, "type": "worker"}}, "services", "needs at least one public service"),
        (
            {
                "web": WEB,
                "a": {**WEB, "routing": {"paths": ["/api/*"]}},
                "b": {**WEB, "routing": {"paths": ["/api/admin/*"]}},
            },
            "services",
            "a and b may match the same request; set routing.priority on both",
        ),
        (
            {
                "web": WEB,
                "a": {**WEB, "routing": {"paths": ["/a/*"], "priority": 9}},
                "b": {**WEB, "routing": {"paths": ["/b/*"], "priority": 9}},
            },
            "services",
            "a and b share rule priority 9",
        ),
        ({"web": WEB, "Api": WEB}, "services.Api", "1-16 lowercase letters and digits"),
        ({"web": WEB, "api-v2": WEB}, "services.api-v2", "no hyphen"),
        ({"web": WEB, "database": WEB}, "services.database", "names a part of the platform"),
        (
            {"web": WEB, "jobs": {"type": "worker", "routing": {"paths": ["/x"]}}},
            "services.jobs.routing",
            "public services",
        ),
        (
            {"web": WEB, "jobs": {"type": "worker", "allowFrom": ["web"]}},
            "services.jobs.allowFrom",
            "a worker is called by no one",
        ),
        ({"web": {**WEB, "queue": {}}}, "services.web.queue", "is for workers"),
        (
            {"web": WEB, "users": {"type": "internal", "deployment": {"strategy": "canary"}}},
            "services.users.deployment",
            "use rolling",
        ),
        (
            {"web": {"routing": {"paths": ["/a", "/b", "/c"], "hosts": ["x.example.com", "y.example.com"]}}},
            "services.web.routing.paths",
            "5 paths and hosts in all",
        ),
        ({"web": {"routing": {"paths": ["api/*"]}}}, "services.web.routing.paths[0]", "a path starting with /"),
        ({"web": {**WEB, "uses": ["database", "database"]}}, "services.web.uses", "database listed twice"),
    ],
)
def test_a_bad_service_map_is_rejected_at_its_key(services, rejected, service_map, key, message):
    problems = rejected(services(service_map))

    assert f"webstack:compute.{key}" in problems, problems
    assert message in problems[f"webstack:compute.{key}"]


def test_a_queue_worker_keeps_a_task_to_divide_its_backlog_by(dev_values, put, rejected):
    worker = {"type": "worker", "queue": {}, "minCount": 0, "desiredCount": 0}
    values = put(
        dev_values,
        "compute",
        {"kind": "fargate", "containerInsights": "enabled", "services": {"web": {}, "jobs": worker}},
    )

    assert "needs a running task to divide by" in rejected(values)["webstack:compute.services.jobs.minCount"]


def test_a_queue_worker_needs_container_insights(services, put, rejected):
    values = services({"web": WEB, "jobs": {**WEB, "type": "worker", "queue": {}}})
    values = put(values, "compute.containerInsights", "disabled")

    assert "Container Insights' running task count" in rejected(values)["webstack:compute.containerInsights"]


def test_kind_ec2_runs_one_public_service_and_says_so(prod_values, put, rejected):
    values = put(
        prod_values,
        "compute",
        {"kind": "ec2", "services": {"web": WEB, "api": {**WEB, "routing": {"paths": ["/api/*"]}}}},
    )

    message = rejected(values)["webstack:compute.services"]
    assert "kind ec2 runs one service" in message
    assert "web, api" in message
    assert "kind fargate" in message


def test_kind_ec2_takes_one_service_by_any_name(prod_values, put):
    config = parse_config(put(prod_values, "compute", {"kind": "ec2", "services": {"web": WEB}}))

    assert list(config.compute.services) == ["web"]
    assert config.compute.services["web"].instance_type == "m7g.large"


def test_the_single_app_form_reports_its_keys_where_they_were_written(prod_values, put, rejected):
    problems = rejected(put(prod_values, "compute.cpu", 300))

    assert list(problems) == ["webstack:compute.cpu"]


def test_setting_a_single_app_key_beside_services_is_an_unknown_key(services, put, rejected):
    values = put(services({"web": WEB}), "compute.cpu", 512)

    assert "unknown key" in rejected(values)["webstack:compute.cpu"]


def test_a_prod_invariant_binds_every_service(services, rejected):
    problems = rejected(services({"web": WEB, "api": {**WEB, "routing": {"paths": ["/api/*"]}, "minCount": 1}}))

    assert "when webstack:environment is prod" in problems["webstack:compute.services.api.minCount"]


def test_a_host_route_must_be_a_name_the_distribution_serves(services, put, rejected):
    values = services({"web": WEB, "admin": {**WEB, "routing": {"hosts": ["admin.example.com"]}}})

    message = rejected(values)["webstack:compute"]
    assert "admin.example.com is not a name the distribution serves (app.example.com)" in message
    values = put(values, "edge.includeWww", True)
    values = put(values, "compute.services.admin.routing.hosts", ["www.app.example.com"])
    assert parse_config(values).compute.services["admin"].routing.hosts == ["www.app.example.com"]


def test_a_review_copy_of_a_services_stack_drops_each_services_sizing_and_still_validates():
    from config.stackfile import read_stack_file
    from ops.review_stacks import review_values
    from tests.conftest import ROOT

    values = review_values(read_stack_file(ROOT / "examples" / "Pulumi.prod-services.yaml"), [])
    services = values["webstack:compute"]["services"]

    assert "cpu" not in services["api"]
    assert "maxCount" not in services["worker"]
    config = parse_config(values)
    assert config.compute.services["worker"].max_count == 2  # dev's preset
    assert config.compute.container_insights.value == "enabled"  # the worker's backlog needs it


@pytest.mark.parametrize(
    ("service_map", "message"),
    [
        (["web"], "must be a mapping of keys"),
        ({}, "needs at least 1 entry; got 0"),
        (None, "must be a mapping of keys"),
    ],
)
def test_a_services_value_that_is_no_map_is_the_only_problem_reported(dev_values, put, rejected, service_map, message):
    problems = rejected(put(dev_values, "compute", {"kind": "fargate", "services": service_map}))

    assert list(problems) == ["webstack:compute.services"]
    assert message in problems["webstack:compute.services"]
