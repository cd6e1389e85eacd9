"""`__main__.py` as `pulumi up` runs it: config from the Pulumi runtime, bad config stops it cleanly."""

from __future__ import annotations

import pytest

from config.errors import PlanError
from ops.engine import run_offline


def test_program_rejects_bad_config_before_registering_anything(dev_values):
    dev_values["webstack:compute"]["memory"] = 3
    with pytest.raises(PlanError) as raised:
        run_offline("dev", dev_values)
    message = str(raised.value)
    assert "webstack:compute.memory:" in message
    # RunError carries the message alone: no Python traceback is shown by the Pulumi CLI.
    assert isinstance(raised.value.__cause__, Exception)
    assert type(raised.value.__cause__).__name__ == "RunError"


def test_program_reads_structured_config_passed_as_json_text(dev_values):
    dev_values["webstack:network"]["availabilityZones"] = 3
    run = run_offline("dev", dev_values)
    assert run.outputs["availabilityZones"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
