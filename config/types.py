"""Reusable domain types for the stack configuration, each with one validator.

A section model uses `Cidr` or `ImageReference` instead of repeating a field validator;
the `Allowed` marker says in words what a value may be, for error messages and for the
generated reference (docs/config.md). Values AWS or Docker would reject are rejected here,
checked against the catalog of what AWS offers (config/catalog.py).
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from config import catalog
from config.scope import Environment as Environment  # re-exported: sections take the tier with their types
from config.scope import current_scope
from config.text import quote


@dataclass(frozen=True)
class Allowed:
    """Human text of what a type accepts, shown in error messages and the docs."""

    text: str


def checked_by(problem_of: Callable[[str], str | None]) -> AfterValidator:
    """A validator from a function that says what is wrong with a value (None when nothing is)."""

    def check(value: str) -> str:
        problem = problem_of(value)
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(check)


def _account_id(value: object) -> str:
    # YAML reads an unquoted account id as an int and drops leading zeros, so insist on 12 digits.
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not re.fullmatch(r"\d{12}", text):
        raise ValueError(f"{quote(text)} is not an AWS account id; expected exactly 12 digits, quoted in YAML")
    return text


_PRIVATE_RANGES = tuple(
    ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)
# AWS documents that some of its services use 172.17.0.0/16 (Docker's default bridge), so a VPC must avoid it.
_RESERVED_BY_AWS = ipaddress.IPv4Network("172.17.0.0/16")


def _cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ipaddress.NetmaskValueError:
        raise ValueError(f"{quote(value)} is not a valid IPv4 CIDR block like 10.0.0.0/16 (bad mask)") from None
    except ValueError as error:
        if "host bits set" in str(error):
            suggested = ipaddress.IPv4Network(value, strict=False)
            raise ValueError(f"{quote(value)} has host bits set; did you mean {suggested}?") from None
        raise ValueError(f"{quote(value)} is not a valid IPv4 CIDR block like 10.0.0.0/16") from None
    if not 16 <= network.prefixlen <= 23:
        # /23 is the smallest range whose eight AZ slots each hold the three tiers of /28 subnets or larger.
        raise ValueError(f"{value} has a /{network.prefixlen} mask; a VPC here must be between /16 and /23")
    if not any(network.subnet_of(block) for block in _PRIVATE_RANGES):
        raise ValueError(
            f"{value} is not a private range; use 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10"
        )
    if network.overlaps(_RESERVED_BY_AWS):
        raise ValueError(
            f"{value} overlaps 172.17.0.0/16, which AWS documents as used by some of its services "
            "(and Docker's default bridge); pick another range"
        )
    return str(network)


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _domain_name(value: str) -> str:
    name = value.strip().lower().rstrip(".")
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{quote(value)} is not a fully qualified domain name like app.example.com")
    return name


def _hosted_zone_id(value: str) -> str:
    if not re.fullmatch(r"Z[A-Z0-9]{1,32}", value):
        raise ValueError(f"{quote(value)} is not a Route 53 hosted zone id; expected one like Z0123456789ABCDEFGHIJ")
    return value


def _email(value: str) -> str:
    if len(value) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}", value):
        raise ValueError(f"{quote(value)} is not an email address")
    return value


def _https_url(value: str) -> str:
    """An https:// URL to a host name (an SNS HTTPS subscription); the URL may hold a webhook's token, so it is
    never quoted back."""
    match = re.fullmatch(r"https://([^/:?#@\s]+)(:\d{1,5})?(/[^\s]*)?", value)
    if len(value) > 2048 or match is None:
        raise ValueError("not an https:// URL (the value is not repeated: a webhook URL may hold a token)")
    _domain_name(match.group(1))
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
        raise ValueError(f"{quote(value)} is not a usable tag key: {allowed}")
    return value


def _tag_value(value: object) -> str:
    # `Team:` with nothing after it is YAML null; it must not become the tag value "None".
    if value is None:
        raise ValueError("a tag needs a value; write '' for an empty one")
    # A whole number keeps its digits as text; anything else YAML typed would change on the way.
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"YAML reads this value as {quote(value)}, not as text; quote the tag value")
    if len(value) > 256 or not _TAG_CHARS.match(value):
        raise ValueError(
            f"{quote(value)} is not a usable tag value: at most 256 letters, digits, spaces or _ . : / = + - @"
        )
    return value


# -- container images --------------------------------------------------------------------------------------------

# Docker's reference grammar (distribution/reference): [registry[:port]/]path[:tag][@digest], path lower case.
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?)"
_IMAGE = re.compile(
    rf"^(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)
# Tags that name a release: a version (1.27, v2.3.1-alpine, 2024.10.01) or a commit sha; `stable`, `main`
# or `latest` move to new images, so a prod deploy built on them is not reproducible.
_RELEASE_TAG = re.compile(r"^(v?\d+(\.\d+)*([-_+.][0-9A-Za-z][0-9A-Za-z._-]*)?|[0-9a-f]{7,40})$")


@dataclass(frozen=True)
class Image:
    """A container image reference split into its parts."""

    domain: str | None
    path: str
    tag: str | None
    digest: str | None

    @property
    def pinned(self) -> bool:
        return self.digest is not None or (self.tag is not None and bool(_RELEASE_TAG.match(self.tag)))


def parse_image(value: str) -> Image | None:
    """The parts of an image reference, or None when Docker would reject it."""
    first, _, rest = value.partition("/")
    # Docker treats the first component as a registry only when it has a dot, a port or is localhost.
    candidate = f"docker.io/{value}" if rest and not ("." in first or ":" in first or first == "localhost") else value
    match = _IMAGE.match(candidate)
    if not match or len(match["path"]) + len(match["domain"] or "") > 255:
        return None
    domain = match["domain"] if candidate == value else None
    return Image(domain, match["path"], match["tag"], match["digest"])


def _image(value: str) -> str:
    if parse_image(value) is None:
        hint = ""
        repository = value.split("@")[0].rsplit(":", 1)[0] if "/" not in value.rsplit(":", 1)[-1] else value
        if repository != repository.lower() and "/" in repository:
            hint = "; repository names must be lower case"
        raise ValueError(
            f"{quote(value)} is not an image reference Docker accepts{hint}: expected "
            "[registry/]repository[:tag][@sha256:digest], e.g. public.ecr.aws/nginx/nginx:1.27"
        )
    return value


def image_is_pinned(value: str) -> bool:
    image = parse_image(value)
    return image is not None and image.pinned


# -- entries of a mapping, each reported at its own key ---------------------------------------------------------


def each_entry(check: Callable[[str, Any], str | None]) -> AfterValidator:
    """Check every entry of a mapping; report each bad one at its own key, all at once."""

    def validate(entries: Mapping[str, Any]) -> Mapping[str, Any]:
        errors = [
            InitErrorDetails(
                type=PydanticCustomError("entry", message.replace("{", "{{").replace("}", "}}")),
                loc=(key,),
                input=value,
            )
            for key, value in entries.items()
            if (message := check(key, value))
        ]
        if errors:
            raise ValidationError.from_exception_data("entries", errors)
        return entries

    return AfterValidator(validate)


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Names that almost always carry a secret: such values belong in `secrets`, not in plain text.
_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL)", re.IGNORECASE)
_SECRET_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):(?P<service>secretsmanager|ssm):(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<resource>secret:[A-Za-z0-9/_+=.@-]+|parameter/[A-Za-z0-9/_.-]+)$"
)


def _variable_name(name: str) -> str | None:
    if not _ENV_NAME.match(name):
        return (
            f"{quote(name)} is not a valid environment variable name (letters, digits and _, not starting with a digit)"
        )
    return None


def looks_secret(name: str) -> bool:
    """A variable name that almost always carries a secret (a password, a token, a key)."""
    return _SECRET_NAME.search(name) is not None


def plain_variable_problem(name: str, value: Any) -> str | None:
    if problem := _variable_name(name):
        return problem
    if looks_secret(name):
        return "looks like a secret; put its Secrets Manager or SSM ARN under `secrets` instead"
    return None


def secret_reference_problem(name: str, arn: Any) -> str | None:
    """A Secrets Manager secret or SSM parameter of the aws partition, in the stack's region."""
    if problem := _variable_name(name):
        return problem
    match = _SECRET_ARN.match(arn) if isinstance(arn, str) else None
    if not match:
        return f"{quote(arn)} is not a Secrets Manager secret or SSM parameter ARN"
    if match["partition"] != "aws":
        return f"{quote(arn)} is in the {match['partition']} partition; webstack runs in the aws partition only"
    region = current_scope().region
    if region and match["region"] != region:
        return (
            f"{quote(arn)} is in {match['region']}, not the stack's region {region}: every task start would "
            f"depend on that region; replicate the secret into {region}"
        )
    return None


def _zone_id(value: str) -> str:
    if not re.fullmatch(r"[a-z]{3,6}\d-az\d{1,2}", value):
        raise ValueError(
            f"{quote(value)} is not an availability zone id like euw1-az1 (zone ids, unlike names, are the same "
            "in every account)"
        )
    region = current_scope().region
    if region and not value.startswith(catalog.zone_id_prefix(region) + "-"):
        raise ValueError(
            f"{value} is not a zone of {region}; its zone ids start with {catalog.zone_id_prefix(region)}-"
        )
    return value


def text_from_plain_scalar(value: object) -> object:
    """Text where YAML may have typed it: a whole number keeps its digits (as Pulumi hands top-level values
    over); a decimal, a boolean or a date would change on the way, so it must be quoted."""
    if isinstance(value, bool | float | datetime.date):
        raise ValueError(f"YAML reads this value as {quote(value)}, not as text; put it in quotes")
    if isinstance(value, int):
        return str(value)
    return value


# -- maintenance and backup windows (UTC) ----------------------------------------------------------------------

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
_CLOCK = r"([01]\d|2[0-3]):([0-5]\d)"


@dataclass(frozen=True)
class Window:
    """A window as minutes into the week (weekly) or the day (daily); the end may wrap past the start."""

    start: int
    end: int
    period: int

    @property
    def minutes(self) -> int:
        return (self.end - self.start) % self.period

    def spans(self) -> list[tuple[int, int]]:
        """The window's stretches as [start, end) minutes of one week, split where it wraps."""
        starts = range(self.start, MINUTES_PER_WEEK, self.period) if self.period == MINUTES_PER_DAY else [self.start]
        spans = []
        for start in starts:
            end = start + self.minutes
            spans += (
                [(start, MINUTES_PER_WEEK), (0, end - MINUTES_PER_WEEK)] if end > MINUTES_PER_WEEK else [(start, end)]
            )
        return spans

    def overlaps(self, other: Window) -> bool:
        return any(a < d and c < b for a, b in self.spans() for c, d in other.spans())


def daily_window(text: str) -> Window:
    """`hh24:mi-hh24:mi` (UTC), as RDS backup and ElastiCache snapshot windows take it."""
    match = re.fullmatch(f"{_CLOCK}-{_CLOCK}", text)
    if not match:
        raise ValueError(f"{quote(text)} is not a daily window like 02:00-03:00 (hh24:mi-hh24:mi, UTC)")
    hours, minutes = [int(part) for part in match.groups()[::2]], [int(part) for part in match.groups()[1::2]]
    return Window(hours[0] * 60 + minutes[0], hours[1] * 60 + minutes[1], MINUTES_PER_DAY)


def weekly_window(text: str) -> Window:
    """`ddd:hh24:mi-ddd:hh24:mi` (UTC), as RDS and ElastiCache maintenance windows take it."""
    day = "(" + "|".join(DAYS) + ")"
    match = re.fullmatch(f"{day}:{_CLOCK}-{day}:{_CLOCK}", text.lower())
    if not match:
        raise ValueError(
            f"{quote(text)} is not a weekly window like sun:03:30-sun:04:30 (ddd:hh24:mi-ddd:hh24:mi, UTC)"
        )
    first_day, first_hour, first_minute, last_day, last_hour, last_minute = match.groups()
    start = DAYS.index(first_day) * MINUTES_PER_DAY + int(first_hour) * 60 + int(first_minute)
    end = DAYS.index(last_day) * MINUTES_PER_DAY + int(last_hour) * 60 + int(last_minute)
    return Window(start, end, MINUTES_PER_WEEK)


def _parses_as(parse: Callable[[str], Window]) -> AfterValidator:
    def check(value: str) -> str:
        parse(value)
        return value.lower()

    return AfterValidator(check)


def window_problems(
    daily_key: str, daily: str, weekly_key: str, weekly: str, *, minimum_minutes: int, service: str
) -> list[tuple[str, str]]:
    """(key, message) for windows too short for `service`, or overlapping each other."""
    day, week = daily_window(daily), weekly_window(weekly)
    problems = [
        (key, f"{window.minutes} minutes is too short; {service} needs at least {minimum_minutes}")
        for key, window in ((daily_key, day), (weekly_key, week))
        if window.minutes < minimum_minutes
    ]
    if day.overlaps(week):
        problems.append((weekly_key, f"overlaps the daily window {daily} ({daily_key}); {service} refuses that"))
    return problems


AwsRegion = Annotated[
    str, checked_by(catalog.region_problem), Allowed("an AWS region of the aws partition, e.g. eu-west-1")
]
AwsAccountId = Annotated[str, BeforeValidator(_account_id), Allowed("12 digits, quoted")]
Cidr = Annotated[str, AfterValidator(_cidr), Allowed("a private IPv4 CIDR block, /16 to /23, not 172.17.0.0/16")]
DomainName = Annotated[str, AfterValidator(_domain_name), Allowed("a fully qualified domain name")]
HostedZoneId = Annotated[str, AfterValidator(_hosted_zone_id), Allowed("a Route 53 hosted zone id (Z...)")]
Email = Annotated[str, AfterValidator(_email), Allowed("an email address")]
HttpsUrl = Annotated[str, AfterValidator(_https_url), Allowed("an https:// URL, e.g. a chat webhook")]
LogRetentionDays = Annotated[
    int, AfterValidator(_log_retention), Allowed("one of " + ", ".join(map(str, LOG_RETENTION_DAYS)))
]
TagKey = Annotated[str, AfterValidator(_tag_key), Allowed("1-128 characters, not starting with aws:")]
TagValue = Annotated[str, BeforeValidator(_tag_value), Allowed("at most 256 characters")]
ImageReference = Annotated[
    str, AfterValidator(_image), Allowed("a container image reference, e.g. public.ecr.aws/nginx/nginx:1.27")
]
AvailabilityZoneId = Annotated[
    str, AfterValidator(_zone_id), Allowed("an availability zone id of the region, e.g. euw1-az1")
]
Port = Annotated[int, Field(ge=1, le=65535)]
DailyWindow = Annotated[str, _parses_as(daily_window), Allowed("hh24:mi-hh24:mi in UTC, e.g. 02:00-03:00")]
WeeklyWindow = Annotated[
    str, _parses_as(weekly_window), Allowed("ddd:hh24:mi-ddd:hh24:mi in UTC, e.g. sun:03:30-sun:04:30")
]
SubnetMask = Annotated[int, Field(ge=16, le=28)]
Name = Annotated[
    str,
    BeforeValidator(text_from_plain_scalar),
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._@/+=-]*$"),
    Allowed("1-64 letters, digits, spaces or . _ @ / + = -, starting with a letter or digit"),
]


# -- schedules, time zones and IAM roles -------------------------------------------------------------------------

# EventBridge Scheduler's cron: six fields (minutes hours day-of-month month day-of-week year), and exactly one
# of the day fields is `?` ("Cron expressions reference" in the EventBridge Scheduler User Guide).
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?,/#-]+$")


def scheduler_cron_problem(value: str) -> str | None:
    """None for a cron expression EventBridge Scheduler accepts, else what is wrong with it."""
    match = re.fullmatch(r"cron\((.*)\)", value)
    fields = match.group(1).split() if match else []
    if len(fields) != 6 or not all(_CRON_FIELD.match(field) for field in fields):
        return (
            f"{quote(value)} is not cron(minutes hours day-of-month month day-of-week year), e.g. "
            "cron(0 19 ? * MON-FRI *)"
        )
    if (fields[2] == "?") == (fields[4] == "?"):
        return f"{quote(value)}: exactly one of day-of-month and day-of-week must be ?, e.g. cron(0 19 ? * MON-FRI *)"
    return None


@functools.cache
def _time_zones() -> frozenset[str]:
    import zoneinfo  # the tz database is read once, when a time zone is first checked

    return frozenset(zoneinfo.available_timezones())


def time_zone_problem(value: str) -> str | None:
    """None for an IANA time zone name (as EventBridge Scheduler takes them), else what is wrong."""
    known = _time_zones()
    # Without a tz database on this machine only the shape can be checked.
    valid = value in known if known else re.fullmatch(r"UTC|[A-Z][A-Za-z_]+(/[A-Z][A-Za-z0-9_+-]+){1,2}", value)
    return None if valid else f"{quote(value)} is not an IANA time zone such as Europe/Dublin or UTC"


_ROLE_ARN = re.compile(r"^arn:(?P<partition>[a-z-]+):iam::(?P<account>\d{12}):role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")


def role_arn_account(value: str) -> str | None:
    """The account of an IAM role ARN of the aws partition, or None when `value` is not one."""
    match = _ROLE_ARN.match(value)
    return match["account"] if match and match["partition"] == "aws" else None


def _role_arn(value: str) -> str | None:
    if role_arn_account(value) is None:
        example = "arn:aws:iam::111111111111:role/deployer"
        return f"{quote(value)} is not an IAM role ARN of the aws partition, e.g. {example}"
    return None


def _external_id(value: str) -> str | None:
    if not re.fullmatch(r"[\w+=,.@:/-]{2,1224}", value):
        return f"{quote(value)} is not an STS external id: 2-1224 letters, digits or + = , . @ : / - _"
    return None


SchedulerCron = Annotated[
    str, checked_by(scheduler_cron_problem), Allowed("an EventBridge Scheduler cron, e.g. cron(0 19 ? * MON-FRI *)")
]
TimeZone = Annotated[str, checked_by(time_zone_problem), Allowed("an IANA time zone, e.g. Europe/Dublin")]
IamRoleArn = Annotated[
    str, checked_by(_role_arn), Allowed("an IAM role ARN, e.g. arn:aws:iam::111111111111:role/deployer")
]
ExternalId = Annotated[
    str, BeforeValidator(text_from_plain_scalar), checked_by(_external_id), Allowed("2-1224 characters")
]
