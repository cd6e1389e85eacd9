"""What the config's map of services means for the wiring: who reaches whom, who sends to which queue.

Every service declares its callers (`allowFrom`) and its queue's senders (`queue.senders`) on itself;
these functions turn those declarations into what each side needs: security group rules, the peers
a service calls by name, and the queues it may send to.
"""

from __future__ import annotations

from collections.abc import Mapping

from components.network import ServiceReach
from config.compute import DataStore, ServiceConfig


def service_reach(services: Mapping[str, ServiceConfig]) -> tuple[ServiceReach, ...]:
    """Each service's security group rules, from the declarations of the map."""
    return tuple(
        ServiceReach(
            name=name,
            port=service.container_port if service.listens else None,
            from_load_balancer=service.public,
            callers=tuple(service.allow_from),
            database=DataStore.DATABASE in service.uses,
            cache=DataStore.CACHE in service.uses,
        )
        for name, service in services.items()
    )


def calls_of(services: Mapping[str, ServiceConfig], caller: str) -> dict[str, int]:
    """The services that admit `caller`, with the port it reaches each on."""
    return {
        name: service.container_port
        for name, service in services.items()
        if service.called_by_name and caller in service.allow_from
    }


def queues_sent_to_by(services: Mapping[str, ServiceConfig], sender: str) -> list[str]:
    """The workers whose queue `sender` may send to."""
    return [name for name, service in services.items() if service.queue and sender in service.queue.senders]


def uses_service_connect(services: Mapping[str, ServiceConfig]) -> bool:
    """Whether any service is called by name, so the cluster needs a namespace."""
    return any(service.called_by_name for service in services.values())
