"""AWS list prices per region, read from `prices/<region>.json`: never guessed for a region without a file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.errors import WebstackError

PRICES_DIR = Path(__file__).resolve().parent / "prices"


class NoPriceError(WebstackError):
    """The price file lacks the region or an item the plan needs: the report stops rather than guess."""


def priced_regions() -> list[str]:
    return sorted(path.stem for path in PRICES_DIR.glob("*.json"))


@dataclass(frozen=True)
class PriceBook:
    """One region's prices: `get("albHour")`, `get("ec2InstanceHour", "m7g.large")`."""

    region: str
    currency: str
    taken_on: str
    prices: dict[str, Any]

    @classmethod
    def for_region(cls, region: str) -> PriceBook:
        path = PRICES_DIR / f"{region}.json"
        if not path.is_file():
            raise NoPriceError(
                f"no prices for {region}: ops/cost/prices/ has {', '.join(priced_regions())}; add {region}.json "
                "in the same shape (AWS list prices, with their date and sources) to price a stack there"
            )
        data = json.loads(path.read_text())
        return cls(region, data["currency"], data["takenOn"], data["prices"])

    def get(self, key: str, *path: str) -> float:
        value: Any = self.prices.get(key)
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, int | float):
            item = "/".join((key, *path))
            raise NoPriceError(f"ops/cost/prices/{self.region}.json has no price for {item}; add it to price this plan")
        return float(value)
