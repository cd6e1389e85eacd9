"""The Pulumi program: validated stack config in, one Platform out, its outputs exported."""

import pulumi

from components.platform import Platform, PlatformArgs
from config import ConfigError, load_pulumi_config

try:
    config = load_pulumi_config()
    platform = Platform(
        f"webstack-{pulumi.get_stack()}",
        PlatformArgs(config=config, project=pulumi.get_project(), stack=pulumi.get_stack()),
    )
except ConfigError as error:
    # RunError ends the program with the message alone, no traceback. Config is checked
    # before any cloud resource is registered (only providers may exist), so nothing is half-created.
    raise pulumi.RunError(str(error)) from None
for name, value in platform.stack_outputs().items():
    pulumi.export(name, value)
