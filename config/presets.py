"""Defaults per environment tier, as data in the shape of the YAML they fill in.

A stack file only states what differs from its tier's preset. Tier-independent defaults
live on the model fields; everything that depends on the tier is here and only here.
`compute` has one preset per `kind`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.compute import CLUSTER_KEYS
from config.types import Environment

Preset = dict[str, Any]

_ACCOUNT_FEATURES_OFF: Preset = {
    "cloudTrail": {"enabled": False},
    "guardDuty": {"enabled": False},
    "securityHub": {"enabled": False},
}

PRESETS: dict[Environment, Preset] = {
    Environment.DEV: {
        "network": {
            "cidr": "10.10.0.0/16",
            "availabilityZones": 2,
            "natGateways": "single",
            "flowLogs": {"enabled": False, "retentionDays": 7},
        },
        "edge": {"priceClass": "PriceClass_100", "waf": {"enabled": False}, "hstsPreload": False},
        "compute": {
            "fargate": {
                "containerInsights": "disabled",
                "cpu": 256,
                "memory": 512,
                "onDemandBase": 0,
                "spotPercent": 100,
                "desiredCount": 1,
                "minCount": 1,
                "maxCount": 2,
                "deployment": {"strategy": "rolling"},
            },
            "ec2": {
                "instanceType": "t4g.small",
                "desiredCount": 1,
                "minCount": 1,
                "maxCount": 2,
                "deployment": {"strategy": "rolling"},
            },
        },
        "data": {
            "postgres": {
                "instanceClass": "db.t4g.micro",
                "allocatedStorageGb": 20,
                "maxAllocatedStorageGb": 50,
                "multiAz": False,
                "backupRetentionDays": 1,
                "deletionProtection": False,
                "performanceInsights": False,
                "monitoringIntervalSeconds": 0,
                "applyImmediately": True,
            },
            # Serverless Valkey (about $6/month at its 100 MB floor) costs less than the smallest node.
            "cache": {
                "mode": "serverless",
                "nodeType": "cache.t4g.micro",
                "replicas": 0,
                "automaticFailover": False,
                "snapshotRetentionDays": 0,
                "applyImmediately": True,
            },
            "sessions": {"pointInTimeRecovery": True, "deletionProtection": False},
        },
        "observability": {"logRetentionDays": 7, "accessLogs": False, "monthlyBudgetUsd": 150, "dashboard": False},
        # Account-level features: the prod stack of an account owns them (config/security.py).
        "security": _ACCOUNT_FEATURES_OFF,
        "usage": {
            "requestsPerMonth": 1_000_000,
            "dataOutGb": 10,
            "natDataGb": 5,
            "logIngestGb": 1,
            "flowLogGb": 1,
            "cacheDataGb": 0.1,
        },
    },
    Environment.STAGE: {
        "network": {
            "cidr": "10.20.0.0/16",
            "availabilityZones": 2,
            "natGateways": "single",
            "flowLogs": {"enabled": True, "retentionDays": 30},
        },
        "edge": {"priceClass": "PriceClass_100", "waf": {"enabled": True}, "hstsPreload": False},
        "compute": {
            "fargate": {
                "containerInsights": "enabled",
                "cpu": 512,
                "memory": 1024,
                "onDemandBase": 1,
                "spotPercent": 50,
                "desiredCount": 2,
                "minCount": 2,
                "maxCount": 4,
                "deployment": {"strategy": "canary"},
            },
            "ec2": {
                "instanceType": "t4g.medium",
                "desiredCount": 2,
                "minCount": 2,
                "maxCount": 4,
                "deployment": {"strategy": "rolling"},
            },
        },
        "data": {
            "postgres": {
                "instanceClass": "db.t4g.small",
                "allocatedStorageGb": 20,
                "maxAllocatedStorageGb": 100,
                "multiAz": False,
                "backupRetentionDays": 7,
                "deletionProtection": True,
                "performanceInsights": True,
                "monitoringIntervalSeconds": 60,
                "applyImmediately": False,
            },
            "cache": {
                "mode": "nodes",
                "nodeType": "cache.t4g.small",
                "replicas": 1,
                "automaticFailover": True,
                "snapshotRetentionDays": 1,
                "applyImmediately": False,
            },
            "sessions": {"pointInTimeRecovery": True, "deletionProtection": True},
        },
        "observability": {"logRetentionDays": 30, "accessLogs": True, "monthlyBudgetUsd": 500, "dashboard": True},
        "security": _ACCOUNT_FEATURES_OFF,
        "usage": {"requestsPerMonth": 5_000_000, "dataOutGb": 50, "natDataGb": 20, "logIngestGb": 5, "flowLogGb": 5},
    },
    Environment.PROD: {
        "network": {
            "cidr": "10.30.0.0/16",
            "availabilityZones": 3,
            "natGateways": "onePerAz",
            "flowLogs": {"enabled": True, "retentionDays": 365},
        },
        "edge": {"priceClass": "PriceClass_All", "waf": {"enabled": True}, "hstsPreload": True},
        "compute": {
            "fargate": {
                "containerInsights": "enhanced",
                "cpu": 1024,
                "memory": 2048,
                "onDemandBase": 3,
                "spotPercent": 0,
                "desiredCount": 3,
                "minCount": 3,
                "maxCount": 12,
                "deployment": {"strategy": "canary"},
            },
            "ec2": {
                "instanceType": "m7g.large",
                "desiredCount": 3,
                "minCount": 3,
                "maxCount": 12,
                "deployment": {"strategy": "rolling"},
            },
        },
        "data": {
            "postgres": {
                "instanceClass": "db.m7g.large",
                "allocatedStorageGb": 100,
                "maxAllocatedStorageGb": 1000,
                "multiAz": True,
                "backupRetentionDays": 14,
                "deletionProtection": True,
                "performanceInsights": True,
                "monitoringIntervalSeconds": 60,
                "applyImmediately": False,
            },
            "cache": {
                "mode": "nodes",
                "nodeType": "cache.m7g.large",
                "replicas": 2,
                "automaticFailover": True,
                "snapshotRetentionDays": 7,
                "applyImmediately": False,
            },
            "sessions": {"pointInTimeRecovery": True, "deletionProtection": True},
        },
        "observability": {"logRetentionDays": 365, "accessLogs": True, "monthlyBudgetUsd": 3000, "dashboard": True},
        "security": {"cloudTrail": {"enabled": True}, "guardDuty": {"enabled": True}, "securityHub": {"enabled": True}},
        "usage": {
            "requestsPerMonth": 30_000_000,
            "dataOutGb": 300,
            "natDataGb": 100,
            "logIngestGb": 20,
            "flowLogGb": 20,
        },
    },
}

DEFAULT_COMPUTE_KIND = "fargate"


def apply_preset(tier: Environment, values: Mapping[str, Any]) -> dict[str, Any]:
    """The tier's preset with the stack's own `values` laid over it (the stack wins).

    A stack with `compute.services` gets the kind's service preset in each service; one written
    for a single app gets it at the top of `compute`, where that app's keys are.
    """
    preset = dict(PRESETS[tier])
    compute = values.get("compute")
    compute = compute if isinstance(compute, Mapping) else {}
    kind = compute.get("kind", DEFAULT_COMPUTE_KIND)
    kind_preset: dict[str, Any] = {"kind": DEFAULT_COMPUTE_KIND, **preset.pop("compute").get(kind, {})}
    # The kind's preset holds keys of compute itself and keys every service takes.
    cluster = {key: value for key, value in kind_preset.items() if key in CLUSTER_KEYS}
    service = {key: value for key, value in kind_preset.items() if key not in CLUSTER_KEYS}
    if "services" in compute:
        services = compute["services"]
        if isinstance(services, Mapping):  # anything else is left for validation to report as it is
            services = {
                name: _merge(_service_preset(service, own), own) if isinstance(own, Mapping) else own
                for name, own in services.items()
            }
        values = {**values, "compute": {**compute, "services": services}}
        preset["compute"] = cluster
    else:
        preset["compute"] = {**cluster, **_service_preset(service, compute)}
    return _merge(preset, values)


def _service_preset(preset: Mapping[str, Any], service: Mapping[str, Any]) -> dict[str, Any]:
    # ECS shifts traffic between target groups only behind the load balancer: other services roll.
    if service.get("type", "public") != "public" and "deployment" in preset:
        return {**preset, "deployment": {"strategy": "rolling"}}
    return dict(preset)


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
