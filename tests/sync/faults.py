"""A network between devices and the server that loses, repeats and delays requests.

Every request that reaches the server goes through `Network.deliver`, which keeps the
server's reply even when the device never gets it: the tests' record of what the server
really answered.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from app.syncclient import Reply, Request, Transport, TransportError

Fault = Literal["drop_request", "drop_response", "duplicate", "delay"]
FAULTS: tuple[Fault, ...] = ("drop_request", "drop_response", "duplicate", "delay")


@dataclass
class Delivery:
    request: Request
    reply: Reply


@dataclass
class Network:
    deliveries: list[Delivery] = field(default_factory=list)
    held: list[tuple[Transport, Request]] = field(default_factory=list)

    def deliver(self, transport: Transport, request: Request) -> Reply:
        reply = transport.send(request)
        self.deliveries.append(Delivery(request, reply))
        return reply

    def release(self, *, newest_first: bool = False) -> None:
        """Let delayed requests arrive now (their replies reach nobody)."""
        held, self.held = self.held, []
        for transport, request in reversed(held) if newest_first else held:
            self.deliver(transport, request)

    def applied(self) -> list[tuple[int, str, dict[str, Any]]]:
        """(version, client_id, mutation) of every mutation the server said it applied."""
        out = []
        for delivery in self.pushes():
            sent = {m["id"]: m for m in delivery.request.json["mutations"]}
            for result in delivery.reply.body["results"]:
                if result["status"] == "applied":
                    out.append((result["version"], delivery.request.json["client_id"],
                                sent[result["id"]]))
        return sorted(out, key=lambda item: item[0])

    def outcomes(self) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        """(client_id, mutation, result) for every result of every successful push."""
        out = []
        for delivery in self.pushes():
            sent = {m["id"]: m for m in delivery.request.json["mutations"]}
            for result in delivery.reply.body["results"]:
                out.append((delivery.request.json["client_id"], sent[result["id"]], result))
        return out

    def pushes(self) -> list[Delivery]:
        return [d for d in self.deliveries
                if d.request.method == "POST" and d.reply.status == 200]


class FaultyTransport:
    """Wraps a device's transport; `faults` are used up one per request, in order."""

    def __init__(self, inner: Transport, network: Network) -> None:
        self.inner = inner
        self.network = network
        self.faults: deque[Fault | None] = deque()

    def send(self, request: Request) -> Reply:
        fault = self.faults.popleft() if self.faults else None
        if fault == "drop_request":
            raise TransportError("the request was lost")
        if fault == "delay":
            self.network.held.append((self.inner, request))
            raise TransportError("the request is stuck in the network (it arrives later)")
        reply = self.network.deliver(self.inner, request)
        if fault == "duplicate":
            reply = self.network.deliver(self.inner, request)
        if fault == "drop_response":
            raise TransportError("the reply was lost after the server answered")
        return reply
