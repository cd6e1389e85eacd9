"""The Pulumi program: validated stack config in, one Platform out, its outputs exported."""

import pulumi

from components.platform import Platform, PlatformArgs
from config import ConfigError, load_pulumi_config

try:
    config = load_pulumi_config()
except ConfigError as error:
    # RunError ends the program with the message alone, no traceback; nothing was registered yet.
    raise pulumi.RunError(str(error)) from None

platform = Platform(
    f"webstack-{pulumi.get_stack()}",
    PlatformArgs(config=config, project=pulumi.get_project(), stack=pulumi.get_stack()),
)
for name, value in platform.stack_outputs().items():
    pulumi.export(name, value)
