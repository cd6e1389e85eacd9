"""Benchmark: offline plan time per stack beside the bare import time of pulumi and pulumi_aws.

Each measurement runs in a fresh interpreter (what a user or CI pays), best of N runs.
Not a test: timings vary by machine, so nothing here asserts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
# The floor for a plan: pulumi_aws loads a service's module only when it is first touched, so the floor
# touches every service the plan of prod touches (listed by running it), as the program does.
SDK_BASE = "import pulumi, pulumi.runtime.mocks, pulumi_aws as aws, pulumi_awsx as awsx, pydantic, yaml\n"
LIST_SERVICES = """
import os, sys, types
from ops.cli import main
main(["plan", "prod", "--json"])
# pulumi_aws registers every service as a lazy module; a loaded one has become a plain module.
loaded = [name for name, module in list(sys.modules.items()) if type(module) is types.ModuleType]
services = {name.split(".")[1] for name in loaded if name.startswith("pulumi_aws.")}
services -= {"config", "provider"}
print(" ".join(sorted(s for s in services if not s.startswith("_"))), file=sys.stderr)
sys.stderr.flush()
os._exit(0)
"""


# What `ops plan` is timed on: label -> its arguments.
PLANS = (
    ("plan dev", ["dev"]),
    ("plan dev --preview", ["dev", "--preview"]),
    ("plan prod", ["prod"]),
    ("plan prod --preview", ["prod", "--preview"]),
    ("plan prod-services", ["prod", "--config", "examples/Pulumi.prod-services.yaml"]),
)


def sdk_modules() -> str:
    """The import-only program that loads every pulumi_aws service the prod plan loads."""
    listed = subprocess.run([sys.executable, "-c", LIST_SERVICES], cwd=ROOT, capture_output=True, text=True, check=True)
    services = listed.stderr.split()
    # Any attribute but the introspection ones (__dict__, __name__, ...) makes a lazy module load.
    return SDK_BASE + "".join(f'getattr(aws.{service}, "load", None)\n' for service in services)


def best_of(command: list[str]) -> tuple[float, str]:
    best, output = float("inf"), ""
    for _ in range(RUNS):
        start = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        best = min(best, time.perf_counter() - start)
        output = result.stdout
    return best, output


def main() -> None:
    python = sys.executable
    rows = []
    for label, module in (
        ("python (empty)", "pass"),
        ("import pulumi", "import pulumi"),
        ("import pulumi_aws (lazy)", "import pulumi, pulumi_aws"),
        ("SDK modules the plan uses", sdk_modules()),
        ("import program modules", "import components.platform, ops.engine"),
    ):
        seconds, _ = best_of([python, "-c", module])
        rows.append((label, seconds, ""))
    for label, arguments in PLANS:
        seconds, output = best_of([python, "-m", "ops", "plan", *arguments, "--json"])
        resources = json.loads(output)["resources"]
        modelled = sum(1 for resource in resources if resource["modelled"])
        note = f"{len(resources)} resources ({modelled} modelled in awsx), {len(resources) / seconds:.0f}/s"
        rows.append((label, seconds, note))
    rows += in_process()
    print(f"best of {RUNS} runs; the first rows in a fresh interpreter each, the last in one process")
    for label, seconds, note in rows:
        print(f"  {label:<30} {seconds:6.3f} s  {note}")


def in_process() -> list[tuple[str, float, str]]:
    """The mock engine's own speed: the program run again and again in one warm process."""
    sys.path.insert(0, str(ROOT))
    from config.stackfile import read_stack_file
    from ops.engine import run_offline

    rows = []
    for stack in ("dev", "prod"):
        values = read_stack_file(ROOT / f"Pulumi.{stack}.yaml")
        best, count = float("inf"), 0
        for _ in range(RUNS):
            start = time.perf_counter()
            count = len(run_offline(stack, values).registrations)
            best = min(best, time.perf_counter() - start)
        rows.append((f"run_offline {stack} (warm)", best, f"{count / best:.0f} resources/s"))
    return rows


if __name__ == "__main__":
    main()
