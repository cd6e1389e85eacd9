"""Reusable domain types for the stack configuration, each with one validator.

A section model uses `Cidr` or `DomainName` instead of repeating a field validator; the
`Allowed` marker tells the generated reference (docs/config.md) what a value may be.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field


@dataclass(frozen=True)
class Allowed:
    """Human text of what a type accepts, shown in error messages' neighbours and the docs."""

    text: str


class Environment(StrEnum):
    """The environment tier: it picks the presets and switches on the prod invariants."""

    DEV = "dev"
    STAGE = "stage"
    PROD = "prod"


_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")


def _region(value: str) -> str:
    if not _REGION.match(value):
        raise ValueError(f"{value!r} is not an AWS region name; expected one like eu-west-1 or us-east-1")
    return value


def _account_id(value: object) -> str:
    # YAML reads an unquoted account id as an int and drops leading zeros, so insist on 12 digits.
    text = str(value)
    if not re.fullmatch(r"\d{12}", text):
        raise ValueError(f"{text!r} is not an AWS account id; expected exactly 12 digits, quoted in YAML")
    return text


_PRIVATE_RANGES = tuple(
    ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)


def _cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ipaddress.NetmaskValueError as error:
        raise ValueError(f"{value!r} is not a valid IPv4 CIDR block ({error})") from None
    except ValueError as error:
        if "host bits set" in str(error):
            suggested = ipaddress.IPv4Network(value, strict=False)
            raise ValueError(f"{value!r} has host bits set; did you mean {suggested}?") from None
        raise ValueError(f"{value!r} is not a valid IPv4 CIDR block like 10.0.0.0/16") from None
    if not 16 <= network.prefixlen <= 24:
        raise ValueError(f"{value} has a /{network.prefixlen} mask; a VPC here must be between /16 and /24")
    if not any(network.subnet_of(block) for block in _PRIVATE_RANGES):
        raise ValueError(
            f"{value} is not a private range; use 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10"
        )
    return str(network)


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _domain_name(value: str) -> str:
    name = value.strip().lower().rstrip(".")
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{value!r} is not a fully qualified domain name like app.example.com")
    return name


def _hosted_zone_id(value: str) -> str:
    if not re.fullmatch(r"Z[A-Z0-9]{1,32}", value):
        raise ValueError(f"{value!r} is not a Route 53 hosted zone id; expected one like Z0123456789ABCDEFGHIJ")
    return value


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}", value):
        raise ValueError(f"{value!r} is not an email address")
    return value


# CloudWatch Logs accepts only these retention periods (PutRetentionPolicy).
# fmt: off
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)
# fmt: on


def _log_retention(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(days) for days in LOG_RETENTION_DAYS)
        raise ValueError(f"{value} is not a retention CloudWatch Logs accepts; use one of {allowed}")
    return value


_TAG_CHARS = re.compile(r"^[\w .:/=+\-@]*$", re.UNICODE)


def _tag_key(value: str) -> str:
    if not 1 <= len(value) <= 128 or not _TAG_CHARS.match(value) or value.lower().startswith("aws:"):
        allowed = "1-128 letters, digits, spaces or _ . : / = + - @, not starting with aws:"
        raise ValueError(f"{value!r} is not a usable tag key: {allowed}")
    return value


def _tag_value(value: object) -> str:
    # `Team:` with nothing after it is YAML null; it must not become the tag value "None".
    if value is None:
        raise ValueError("a tag needs a value; write '' for an empty one")
    # YAML reads yes/true as a boolean, which str() would turn into "True".
    if isinstance(value, bool):
        raise ValueError(f"{value} is a YAML boolean; quote the tag value (e.g. 'true')")
    text = str(value)
    if len(text) > 256 or not _TAG_CHARS.match(text):
        raise ValueError(f"{text!r} is not a usable tag value: at most 256 letters, digits, spaces or _ . : / = + - @")
    return text


AwsRegion = Annotated[str, AfterValidator(_region), Allowed("an AWS region name, e.g. eu-west-1")]
AwsAccountId = Annotated[str, BeforeValidator(_account_id), Allowed("12 digits, quoted")]
Cidr = Annotated[str, AfterValidator(_cidr), Allowed("a private IPv4 CIDR block, /16 to /24")]
DomainName = Annotated[str, AfterValidator(_domain_name), Allowed("a fully qualified domain name")]
HostedZoneId = Annotated[str, AfterValidator(_hosted_zone_id), Allowed("a Route 53 hosted zone id (Z...)")]
Email = Annotated[str, AfterValidator(_email), Allowed("an email address")]
LogRetentionDays = Annotated[
    int, AfterValidator(_log_retention), Allowed("one of " + ", ".join(map(str, LOG_RETENTION_DAYS)))
]
TagKey = Annotated[str, AfterValidator(_tag_key), Allowed("1-128 characters, not starting with aws:")]
TagValue = Annotated[str, BeforeValidator(_tag_value), Allowed("at most 256 characters")]
Port = Annotated[int, Field(ge=1, le=65535)]
SubnetMask = Annotated[int, Field(ge=16, le=28)]
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._@/+=-]*$")]
