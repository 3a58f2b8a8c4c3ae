"""A state document, read: the accounts it lists and the resources of those accounts (their
DeliveryRules and CallRules among them), as ``products.control.document`` parses them from JSON. What loading
one means is ``state``'s documentation; ``state_load`` applies one. Both import these types from
here, so neither imports the other's module for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AccountDoc:
    where: str  # where in the document it is (``accounts[2]``), for the errors that name it
    sid: str
    owner_account_sid: str
    friendly_name: str
    status: str
    auth_token: str | None  # None: a new account gets a new token, an existing one keeps its own


@dataclass(frozen=True)
class ResourceDoc:
    """An Application, Messaging Service, Trunk, Proxy Service or OriginationUrl: the columns a
    client can set, those the document gives (the others take the API's defaults)."""

    where: str
    sid: str
    account_sid: str
    values: dict[str, Any]


@dataclass(frozen=True)
class NumberDoc:
    where: str
    sid: str
    account_sid: str
    phone_number: str
    values: dict[str, Any]  # its configuration, as IncomingPhoneNumber's update takes it


@dataclass(frozen=True)
class TrunkDoc(ResourceDoc):
    origination_urls: tuple[ResourceDoc, ...] = ()


@dataclass(frozen=True)
class Member:
    where: str
    phone_number_sid: str
    is_reserved: bool = False  # Proxy only


@dataclass(frozen=True)
class ServiceDoc(ResourceDoc):
    members: tuple[Member, ...] = ()


@dataclass(frozen=True)
class RuleDoc:
    """A DeliveryRule: its ``To`` (an E.164 number or a prefix ending in ``*``), the status messages
    to it end with, and the error code of an ``undelivered`` or ``failed`` one, as the API checks them."""

    where: str
    sid: str
    account_sid: str
    to: str
    status: str
    error_code: int | None


@dataclass(frozen=True)
class CallRuleDoc:
    """A CallRule: its ``To`` (an E.164 number or a prefix ending in ``*``), how calls to it end
    (``status``), after how many seconds of ringing, holding and talking, the keys the callee
    presses (``digits``) and who answers, as the API checks them."""

    where: str
    sid: str
    account_sid: str
    to: str
    status: str
    ring_seconds: int
    hold_seconds: int
    digits: tuple[str, ...]
    duration: int
    answered_by: str


@dataclass(frozen=True)
class Document:
    accounts: tuple[AccountDoc, ...] = ()
    applications: tuple[ResourceDoc, ...] = ()
    numbers: tuple[NumberDoc, ...] = ()
    messaging_services: tuple[ServiceDoc, ...] = ()
    trunks: tuple[TrunkDoc, ...] = ()
    proxy_services: tuple[ServiceDoc, ...] = ()
    delivery_rules: tuple[RuleDoc, ...] = ()
    call_rules: tuple[CallRuleDoc, ...] = ()
