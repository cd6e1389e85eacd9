"""An in-process stand-in for the Pulumi engine and the AWS providers, for plans and tests.

- `aws.AwsMocks` answers like the real providers would: ids and ARNs in AWS's formats, the
  `name` the provider would auto-generate, and in preview mode only what a real preview
  knows (computed outputs stay unknown). What it knows per AWS area is data in
  `resources.py` (resources) and `invokes.py` (data sources); an invoke it does not know
  raises: a plan built on a guess is worse than no plan.
- `awsx_vpc.model_vpc` shows the children awsx's `Vpc` will create, marked as modelled.
- `monitor.RecordingMonitor` keeps every registration with its inputs and the options that
  matter for safety review, and refuses what `pulumi:disable-default-providers` refuses.
- `checks.py` holds the rules AWS applies across resources (security group rule quotas),
  checked once the program has registered everything.
"""

from ops.mocks.aws import MOCK_ACCOUNT_ID, AwsMocks
from ops.mocks.monitor import RecordingMonitor, Registration

__all__ = ["MOCK_ACCOUNT_ID", "AwsMocks", "RecordingMonitor", "Registration"]
