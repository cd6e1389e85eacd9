"""`AwsMocks`: the AWS provider and awsx as the mock engine plays them.

In update mode (the offline plan) every output is known. In preview mode (`preview=True`,
what a PR check's `pulumi preview` sees) a new resource's computed outputs are unknown:
only its inputs, and the name the provider picks at check time, come back.
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from config.errors import MockCoverageError
from ops.mocks.awsx_vpc import ModelledResource, model_vpc
from ops.mocks.invokes import ANSWERS, ZONE_LETTERS, Account, zone_ids
from ops.mocks.resources import KINDS, MODELLED_ID_PREFIXES, Facts, digest

MOCK_ACCOUNT_ID = "123456789012"
AWSX_VPC = "awsx:ec2:Vpc"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"


class AwsMocks(Mocks):
    """Realistic answers for the resources and data sources webstack uses."""

    def __init__(
        self,
        region: str,
        account_id: str = MOCK_ACCOUNT_ID,
        zone_count: int = len(ZONE_LETTERS),
        *,
        preview: bool = False,
    ) -> None:
        if not 1 <= zone_count <= len(ZONE_LETTERS):
            raise ValueError(f"zone_count must be 1-{len(ZONE_LETTERS)}, not {zone_count}")
        self.account = Account(region, account_id, zone_count)
        self.region = region
        self.account_id = account_id
        self.preview = preview
        # What the real providers would refuse; `run_offline` fails the plan with all of it once the program ends
        # (raising inside a registration leaves its other futures failed and logged as never retrieved).
        self.rejected: list[str] = []
        # The children awsx will create, by the logical name of the awsx component that creates them.
        self.modelled: dict[str, tuple[ModelledResource, ...]] = {}
        # Each provider's region, by its logical name: a resource lives in its provider's region.
        self.provider_regions: dict[str, str] = {}

    # -- resources ---------------------------------------------------------------------------------------------

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ.startswith("pulumi:providers:"):
            self.provider_regions[args.name] = str(args.inputs.get("region") or self.region)
            return f"{args.name}-provider-id", dict(args.inputs)
        if args.typ == AWSX_VPC:
            return None, self._awsx_vpc(args)
        if not args.custom:
            return None, {}
        kind = KINDS.get(args.typ)
        if kind is None:
            raise MockCoverageError(
                f"the offline plan does not know the resource type {args.typ}; "
                "add how AWS answers for it to ops/mocks/resources.py (KINDS)"
            )
        outputs = dict(args.inputs)
        if kind.auto_named and kind.name_property not in outputs:
            # The provider picks the name at check time (known in a preview): the logical name and 7 hex characters.
            outputs[kind.name_property] = f"{args.name}-{digest(args.typ, args.name, length=7)}"
        if self.preview:
            return "", outputs  # everything else is computed, so unknown until the resource exists
        region = self._region_of(args.provider)
        # Checks read secrets' values; the outputs keep them wrapped, so a plan shows them as [secret].
        facts = Facts(args.typ, args.name, unwrapped(outputs), region, self.account_id)
        resource_id = kind.id(facts)
        self.rejected += [f"{args.typ} {args.name}: {problem}" for problem in kind.check(facts)]
        if kind.arn is not None:
            named = {key: value for key, value in outputs.items() if isinstance(value, str | int)}
            outputs.setdefault(
                "arn",
                kind.arn.format(**{**named, "region": region, "account": self.account_id, "id": resource_id}),
            )
        outputs.setdefault("id", resource_id)
        outputs.update(kind.extra(facts, resource_id))
        if args.typ == SECRET_VERSION:
            self.account.secret_strings[str(facts.inputs.get("secretId"))] = str(facts.inputs.get("secretString"))
        return resource_id, outputs

    def _region_of(self, provider: str | None) -> str:
        """A provider reference is `<urn>::<id>` and a URN ends in `::<name>`."""
        if not provider:
            return self.region
        return self.provider_regions.get(provider.split("::")[-2], self.region)

    def _awsx_vpc(self, args: MockResourceArgs) -> dict[str, Any]:
        modelled = model_vpc(
            args.name,
            args.inputs,
            region=self.region,
            account_id=self.account_id,
            resource_id=lambda typ, name: _child_id(typ, name, self.preview),
            zone_ids=zone_ids(self.account),
        )
        self.rejected += [f"awsx:ec2:Vpc {args.name}: {problem}" for problem in modelled.problems]
        self.modelled[args.name] = modelled.resources
        # A remote component's outputs exist only once it has been built: unknown in a preview.
        return {} if self.preview else dict(modelled.outputs)

    # -- data sources ------------------------------------------------------------------------------------------

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        answer = ANSWERS.get(args.token)
        if answer is None:
            raise MockCoverageError(
                f"the offline plan does not know the data source {args.token}; "
                "add a realistic answer to ops/mocks/invokes.py (ANSWERS)"
            )
        return answer(self.account, args.args), []


def unwrapped(value: Any) -> Any:
    """`value` with every secret replaced by what it holds."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:  # the engine's own marker
            return unwrapped(value["value"])
        return {key: unwrapped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrapped(item) for item in value]
    return value


# Shown for an id a real preview would not know yet.
UNKNOWN_ID = "(known after apply)"


def _child_id(typ: str, name: str, preview: bool) -> str:
    if preview:
        return UNKNOWN_ID
    return f"{MODELLED_ID_PREFIXES[typ]}-{digest(typ, name)}"
