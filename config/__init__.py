"""The stack configuration: Pydantic models per section, presets per tier, and the loader."""

from config.errors import ConfigError, Problem, StackFileError, WebstackError
from config.loader import load_pulumi_config, load_stack_file, parse_config, parse_pulumi_config
from config.stack import RESERVED_TAGS, StackConfig
from config.stackfile import read_stack_file
from config.types import Environment

__all__ = [
    "RESERVED_TAGS",
    "ConfigError",
    "Environment",
    "Problem",
    "StackConfig",
    "StackFileError",
    "WebstackError",
    "load_pulumi_config",
    "load_stack_file",
    "parse_config",
    "parse_pulumi_config",
    "read_stack_file",
]
