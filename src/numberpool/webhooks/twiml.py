"""The TwiML a webhook answers, reduced to what numberpool executes.

For a call's document (``voice``): every verb with its attributes, text and nested verbs, run
by ``domain.calls``. For an inbound event (``parse``): for a message, each ``<Message>`` is a reply (its text, or its ``<Body>``; ``to`` and ``from``
attributes default to the sender and the number; ``statusCallback`` gets the reply's status callbacks). For both kinds: ``<Redirect>`` fetches the
next document (verbs after it never run). Anything else is recorded by name only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class TwimlError(ValueError):
    """The document is not TwiML (error 12100)."""


@dataclass(frozen=True)
class Reply:
    to: str | None
    from_: str | None
    body: str
    status_callback: str | None = None  # the <Message statusCallback> attribute


@dataclass(frozen=True)
class Redirect:
    url: str
    method: str


@dataclass
class Document:
    verbs: list[str] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    redirect: Redirect | None = None


def parse(body: bytes) -> Document:
    """The verbs of ``body`` up to the first ``<Redirect>``; an empty body is an empty document."""
    root = _response(body)
    doc = Document()
    if root is None:
        return doc
    for verb in root:
        if not isinstance(verb.tag, str):
            continue
        doc.verbs.append(verb.tag)
        if verb.tag == "Message":
            body_el = verb.find("Body")
            text = body_el.text if body_el is not None else verb.text
            doc.replies.append(Reply(verb.get("to"), verb.get("from"), (text or "").strip(), verb.get("statusCallback")))
        elif verb.tag == "Redirect":
            target = (verb.text or "").strip()
            if not target:
                raise TwimlError("<Redirect> names no URL")
            method = (verb.get("method") or "POST").upper()
            if method not in ("GET", "POST"):
                raise TwimlError(f"<Redirect method={method!r}> is not GET or POST")
            doc.redirect = Redirect(target, method)
            break
    return doc


# -- voice ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verb:
    """One verb of a voice document: its name, attributes, text and nested verbs or nouns."""

    name: str
    attributes: dict[str, str]
    text: str
    children: tuple[Verb, ...] = ()


def _verb(element: object) -> Verb:
    import xml.etree.ElementTree as ET

    assert isinstance(element, ET.Element)
    children = tuple(_verb(child) for child in element if isinstance(child.tag, str))
    return Verb(str(element.tag), dict(element.attrib), (element.text or "").strip(), children)


def voice(body: bytes) -> list[Verb]:
    """Every verb of a voice document, in order; an empty body is an empty document (the call
    ends). Raises :class:`TwimlError` (12100) when it is not TwiML."""
    root = _response(body)
    return [] if root is None else [_verb(verb) for verb in root if isinstance(verb.tag, str)]


def _response(body: bytes) -> Any:
    """The ``<Response>`` element of ``body`` (None for an empty body), or :class:`TwimlError`."""
    if not body.strip():
        return None
    import xml.etree.ElementTree as ET  # on the first answer, not at start-up

    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise TwimlError(f"the document does not parse: {exc}") from None
    if root.tag != "Response":
        raise TwimlError(f"the root element is <{root.tag}>, not <Response>")
    return root
