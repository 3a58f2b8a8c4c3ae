"""The server's state as one document: what a caller sees (dump), the main account's subaccounts and
everything they and it hold deleted (reset), and loading a document (load).

A document (``state_document``'s types; ``products.control.document`` reads and writes its JSON)
lists accounts, then the resources of those accounts: Applications, IncomingPhoneNumbers, Messaging Services with their
numbers, Trunks with their OriginationUrls (a number's trunk is its ``trunk_sid``), Proxy
Services with their numbers, and numberpool's DeliveryRules and CallRules. It is configuration only: messages,
calls, their pending work, sticky senders, opt-outs and inbound records are traffic, and no
document carries them. Loading one is an upsert by SID in one transaction: a resource the
document names ends with exactly the document's values (a field it leaves out takes the value the
API gives a new resource), the number list of a service and the OriginationUrl list of a trunk
become exactly the document's, a DeliveryRule or CallRule replaces the rule its account had for the same
``To`` (as creating it through the API does), and nothing else changes. Every rule is the API's
own, checked by the same domain code (``state_load``), so a document the API could not have
produced is refused whole with the error the API would answer, and nothing is written.
"""

from __future__ import annotations

from numberpool.domain import access, errors, tx
from numberpool.domain.accounts import Account
from numberpool.domain.backend import Backend
from numberpool.domain.state_document import (
    AccountDoc,
    CallRuleDoc,
    Document,
    Member,
    NumberDoc,
    ResourceDoc,
    RuleDoc,
    ServiceDoc,
    TrunkDoc,
)
from numberpool.domain.state_load import Load
from numberpool.store import state as q
from numberpool.store.state import Snapshot

__all__ = ["AccountDoc", "CallRuleDoc", "Control", "Document", "Member", "NumberDoc", "ResourceDoc", "RuleDoc", "ServiceDoc",
           "Snapshot", "TrunkDoc"]


class Control:
    """Dump, reset and load, for one server process."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.db = backend.db

    def dump(self, caller: Account) -> Snapshot:
        """The caller's account and its subaccounts, with everything they hold, as of one moment."""
        return q.snapshot(self.db, caller.sid)

    def reset(self, caller: Account) -> None:
        """Delete the main account's (the caller's) subaccounts and everything they and the main
        account hold, in one transaction; the main account stays, and so does any account that is
        not its subaccount (a demoted former main account), with all it holds. Every server process
        refuses a deleted account's credentials from the commit on: SQLite's change stamp empties
        each process's authentication cache, and PostgreSQL servers read every request's."""
        access.require_main(caller)  # the route checks it too (access.MAIN_ONLY_NO_KEYS): any caller of this does
        if not tx.write(self.db, lambda conn: q.delete_tree(conn, caller.sid)):  # demoted meanwhile
            raise errors.reset_requires_main_account()

    def load(self, caller: Account, doc: Document) -> None:
        """Apply ``doc`` as the caller (see the module doc); all or nothing."""
        tx.write(self.db, lambda conn: Load(self.backend, conn, caller, doc).run())
