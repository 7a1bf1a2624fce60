"""Reading Autopilot's answers: lists, list ids, counts and bulk upsert maps.

Shapes that do not match the contract raise ServerError: carrying on with a guess could count
contacts as sent that Autopilot never stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.core.destinations.autopilot.models import AutopilotList
from app.core.destinations.errors import ServerError
from app.core.destinations.http.failures import Doing
from app.core.i18n import N_, _, ngettext, number

# A rejected contact's reason (kept with the run, and in the rejected rows' file).
NOT_STORED = N_("Autopilot did not store this contact")
API_CHECK = N_(
    "Check that the connection's base URL points at Autopilot's API (…/v1), then try again."
)

# What a request to Autopilot was for, as its failure messages say it.
READING_LISTS = Doing(N_("This happened while reading the lists."))
CREATING_LIST = Doing(N_("This happened while creating the list."))
COUNTING_LIST = Doing(N_("This happened while counting the list's contacts."))
SENDING_CONTACTS = Doing(N_("This happened while sending contacts."))
REMOVING_FROM_LIST = Doing(N_("This happened while removing people from a list."))


def unexpected(what: Doing) -> ServerError:
    return ServerError(
        _("Autopilot's answer did not have the expected shape. {doing} {check}").format(
            doing=what, check=_(API_CHECK)
        )
    )


def parse_lists(payload: object) -> list[AutopilotList]:
    items = payload.get("lists") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        raise unexpected(READING_LISTS)
    lists = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("list_id"), str):
            lists.append(AutopilotList(item["list_id"], str(item.get("title") or "")))
    return lists


def match_title(
    lists: Sequence[AutopilotList], title: str
) -> tuple[AutopilotList | None, str | None]:
    wanted = title.strip().casefold()
    matches = [item for item in lists if item.title.strip().casefold() == wanted]
    if not matches:
        return None, None
    if len(matches) == 1:
        return matches[0], None
    first = matches[0]
    return first, ngettext(
        "{count} Autopilot list is titled '{title}'; using the first one ({list_id}). Rename "
        "or remove the others in Autopilot to avoid confusion.",
        "{count} Autopilot lists are titled '{title}'; using the first one ({list_id}). "
        "Rename or remove the others in Autopilot to avoid confusion.",
        len(matches),
    ).format(count=number(len(matches)), title=title.strip(), list_id=first.list_id)


def parse_list_id(payload: object) -> str:
    list_id = payload.get("list_id") if isinstance(payload, dict) else None
    if not isinstance(list_id, str) or not list_id:
        raise unexpected(CREATING_LIST)
    return list_id


def parse_total(payload: object) -> int:
    total = payload.get("total_contacts") if isinstance(payload, dict) else None
    if isinstance(total, bool) or not isinstance(total, int | str):
        raise unexpected(COUNTING_LIST)
    try:
        return int(total)
    except ValueError:
        raise unexpected(COUNTING_LIST) from None


def email_key(contact: Mapping[str, object]) -> str:
    email = contact.get("Email")
    if not isinstance(email, str) or not email.strip():
        raise ValueError("every contact needs an Email")
    return email.strip().lower()


def read_bulk_answer(
    batch: Sequence[Mapping[str, object]], payload: object
) -> tuple[dict[str, str], dict[str, str]]:
    """(confirmed, rejected) for a 200 answer to ``POST /contacts``."""
    stored = _email_map(payload)
    if stored is None:
        stored = _positional_map(batch, payload)
    if stored is None:
        raise unexpected(SENDING_CONTACTS)
    confirmed: dict[str, str] = {}
    rejected: dict[str, str] = {}
    for contact in batch:
        key = email_key(contact)
        contact_id = stored.get(key)
        if contact_id:
            confirmed[key] = contact_id
        else:
            rejected[key] = _(NOT_STORED)
    return confirmed, rejected


def _email_map(payload: object) -> dict[str, str] | None:
    raw = payload.get("email_contact_map") if isinstance(payload, dict) else None
    if not isinstance(raw, dict):
        return None
    # Autopilot may answer in another case than it was sent: match trimmed and lower-cased.
    return {
        str(email).strip().lower(): str(contact_id)
        for email, contact_id in raw.items()
        if contact_id
    }


def is_bulk_answer(batch: Sequence[Mapping[str, object]], payload: object) -> bool:
    """Whether a 200 to ``POST /contacts`` says which contacts were stored: an
    ``email_contact_map``, or one ``contact_ids`` entry per contact sent. Anything else (a
    portal's JSON, a changed API) says nothing about the contacts: it is a failed request,
    never a verdict that they were all refused."""
    return _email_map(payload) is not None or _positional_map(batch, payload) is not None


def _positional_map(
    batch: Sequence[Mapping[str, object]], payload: object
) -> dict[str, str] | None:
    """Without a map, ids are trusted only when there is exactly one per contact sent."""
    ids = payload.get("contact_ids") if isinstance(payload, dict) else None
    if not isinstance(ids, list) or len(ids) != len(batch):
        return None
    return {email_key(c): str(i) for c, i in zip(batch, ids, strict=True) if i}
