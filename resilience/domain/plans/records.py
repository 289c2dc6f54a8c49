"""Plans and their document versions: the plan register's records, and the uploaded files.

Services for the web app and the command line: no Flask, and nothing here commits (the caller's
unit of work does). Bad input raises InputError whose ``field`` names the value at fault.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.domain.duties.rules import PlanDates, PrepareBasis, Regime, check_plan
from resilience.domain.plans.reviews import latest_review
from resilience.domain.record_dates import check_date
from resilience.errors import InputError
from resilience.storage.models import Hazard, Plan, PlanLetter, PlanVersion

Document = TypeVar("Document", PlanVersion, PlanLetter)

REGIME_LABELS: Mapping[Regime, str] = {
    Regime.COMAH_EXTERNAL: "COMAH external emergency plan",
    Regime.PIPELINE: "Major accident hazard pipeline plan",
    Regime.REPPIR: "REPPIR off-site emergency plan",
    Regime.CCA_LOCAL: "Civil Contingencies Act plan",
}
# Whether the council has to prepare the plan, as the plan page says it ("" : it has to).
PREPARE_BASIS_LABELS: Mapping[str, str] = {
    "": "Yes (COMAH 2015 reg. 13(1))",
    PrepareBasis.TREATED_AS_PREPARED.value: (
        "No: the 1999 off-site plan remains materially unchanged and is treated as prepared "
        "(reg. 13(5))"
    ),
    PrepareBasis.EXEMPTED.value: "No: exempted by the competent authority (reg. 15)",
}
MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE")
PLAN_STATUSES: tuple[tuple[str, str], ...] = (
    ("draft", "Draft"),
    ("in preparation", "In preparation"),
    ("consultation", "Out for consultation"),
    ("adopted", "Adopted"),
    ("under revision", "Under revision"),
    ("withdrawn", "Withdrawn"),
)
# A withdrawn plan has no duties left; every other status keeps them on the dashboard.
STATUSES_WITHOUT_DUTIES = frozenset({"withdrawn"})
MAX_VERSION_BYTES = 25 * 1024 * 1024


def readable_size(size: int) -> str:
    """Return a number of bytes as a reader expects it: 812 bytes, 24 KB, 3.5 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


# --- Plans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanValues:
    """What a plan form holds, parsed."""

    ref: str
    title: str
    regime: Regime
    owner: str
    marking: str
    status: str
    notified_on: date | None
    extension_agreed: bool
    adopted_on: date | None
    hazard_refs: tuple[str, ...]
    note: str = ""
    agreed_prepare_by: date | None = None
    # Why it need not be prepared (reg. 13(5) or 15), with the decision's date and reasons.
    prepare_basis: PrepareBasis | None = None
    basis_decided_on: date | None = None
    basis_reasons: str = ""


def find_plan(session: Session, ref: str) -> Plan | None:
    """Return the plan whose identifier is ``ref``, or None."""
    return session.scalars(select(Plan).where(Plan.ref == ref)).one_or_none()


def all_plans(session: Session) -> list[Plan]:
    """Return every plan, by title."""
    return list(session.scalars(select(Plan).order_by(Plan.title, Plan.ref)))


def hazard_names(session: Session) -> dict[str, Hazard]:
    """Return every establishment, pipeline and radiation premises by identifier, in name order."""
    hazards = session.scalars(select(Hazard).order_by(Hazard.kind, Hazard.name, Hazard.ref))
    return {hazard.ref: hazard for hazard in hazards}


def check_hazards(session: Session, refs: Iterable[str], field: str) -> list[str]:
    """Return the refs, de-duplicated in order; raise InputError if any is not in the register."""
    known = set(session.scalars(select(Hazard.ref)))
    wanted = list(dict.fromkeys(refs))
    unknown = [ref for ref in wanted if ref not in known]
    if unknown:
        raise InputError(f"Unknown site or pipeline: {', '.join(unknown)}", field=field)
    return wanted


def _check_basis_decision(values: PlanValues, today: date) -> None:
    """Raise InputError unless a reason the plan need not be prepared comes with its decision.

    Both reasons are decisions someone made on a day and wrote down: the council's that the
    1999 plan remains materially unchanged (reg. 13(5)), or the competent authority's
    exemption (reg. 15), which must say why.
    """
    if values.prepare_basis is None:
        return
    if values.basis_decided_on is None:
        raise InputError(
            "Enter the date it was decided that the plan need not be prepared",
            field="basis_decided_on",
        )
    check_date(values.basis_decided_on, "basis_decided_on", today=today)
    if values.prepare_basis is PrepareBasis.EXEMPTED and not values.basis_reasons:
        raise InputError(
            "Enter the reasons the competent authority gave for the exemption",
            field="basis_reasons",
        )


def save_plan(
    session: Session, values: PlanValues, today: date, existing: Plan | None = None
) -> Plan:
    """Return the created or updated plan; raise InputError naming the field at fault."""
    if existing is None and find_plan(session, values.ref) is not None:
        raise InputError(f"{values.ref!r} is already used by another plan", field="ref")
    if values.marking not in MARKINGS:
        raise InputError(f"Choose one of {', '.join(MARKINGS)}", field="marking")
    check_date(values.notified_on, "notified_on", today=today)
    check_date(values.adopted_on, "adopted_on", today=today)
    if values.status == "adopted" and values.adopted_on is None:
        raise InputError("Enter the date the plan was adopted", field="adopted_on")
    _check_basis_decision(values, today)
    if values.agreed_prepare_by is not None or values.prepare_basis is not None:
        # The same rules as the `duties` command: reg. 13(2)'s window, a comah_external plan
        # not yet adopted, counted from the operator's information; reg. 13(5) and 15.
        check_plan(
            PlanDates(
                plan_id=values.ref,
                regime=values.regime,
                adopted_on=values.adopted_on,
                notified_on=values.notified_on,
                agreed_prepare_by=values.agreed_prepare_by,
                prepare_basis=values.prepare_basis,
            )
        )
    hazard_refs = check_hazards(session, values.hazard_refs, "hazard_refs")
    if existing is not None and values.adopted_on is None and latest_review(session, existing):
        raise InputError(
            "Reviews of this plan are recorded, so it needs the date it was adopted",
            field="adopted_on",
        )
    plan = existing or Plan(ref=values.ref)
    plan.title = values.title
    plan.regime = values.regime.value
    plan.owner = values.owner
    plan.marking = values.marking
    plan.status = values.status
    plan.notified_on = values.notified_on
    plan.extension_agreed = values.extension_agreed
    plan.agreed_prepare_by = values.agreed_prepare_by
    plan.prepare_basis = values.prepare_basis.value if values.prepare_basis else None
    plan.basis_decided_on = values.basis_decided_on if values.prepare_basis else None
    plan.basis_reasons = values.basis_reasons if values.prepare_basis else ""
    plan.adopted_on = values.adopted_on
    plan.hazard_refs = hazard_refs
    plan.note = values.note
    session.add(plan)
    session.flush()
    return plan


# --- Document versions -----------------------------------------------------------------------

_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*")
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")
_CHUNK = 1024 * 1024


def plan_versions(session: Session, plan: Plan) -> list[PlanVersion]:
    """Return a plan's versions, the newest first."""
    return list(
        session.scalars(
            select(PlanVersion)
            .where(PlanVersion.plan_id == plan.id)
            .order_by(PlanVersion.uploaded_at.desc(), PlanVersion.id.desc())
        )
    )


def next_version_label(session: Session, plan: Plan) -> str:
    """Return a label for the next version: one more than the number of versions kept."""
    count = session.scalar(select(func.count()).where(PlanVersion.plan_id == plan.id)) or 0
    return str(count + 1)


def clean_file_name(name: str) -> str:
    """Return the uploader's file name without any folder part or control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[-255:] or "plan-document"


def _content_type(claimed: str, name: str) -> str:
    claimed = (claimed or "").split(";")[0].strip().lower()
    if _CONTENT_TYPE.fullmatch(claimed) and claimed != "application/octet-stream":
        return claimed[:120]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def version_path(uploads: Path, version: PlanVersion) -> Path:
    """Return where a version's file is kept."""
    return uploads / version.stored_name


def store_version(
    session: Session,
    plan: Plan,
    stream: BinaryIO,
    *,
    original_name: str,
    content_type: str,
    label: str,
    change_summary: str,
    uploaded_by: str,
    uploads: Path,
    max_bytes: int = MAX_VERSION_BYTES,
) -> PlanVersion:
    """Return a new version of the plan, its file kept under a generated name in ``uploads``.

    Earlier versions are kept. InputError (naming the field) for a bad label or summary, an
    empty file or one over ``max_bytes``; then no file is left behind.
    """
    label = label.strip()
    if not label:
        raise InputError("Enter a label for this version, for example 2.1", field="label")
    if len(label) > 40:
        raise InputError("The label can have at most 40 characters", field="label")
    taken = session.scalar(
        select(PlanVersion.id).where(PlanVersion.plan_id == plan.id, PlanVersion.label == label)
    )
    if taken is not None:
        raise InputError(f"Version {label!r} of this plan is already kept", field="label")
    if not change_summary.strip():
        raise InputError("Say what changed in this version", field="change_summary")
    kept = keep_file(stream, uploads, original_name, content_type, max_bytes)
    version = PlanVersion(
        plan=plan,
        label=label,
        change_summary=change_summary.strip(),
        uploaded_by=uploaded_by,
        **kept.columns(),
    )
    return kept.store(session, version)


@dataclass(frozen=True)
class KeptFile:
    """An uploaded file written to the document store, and what its record holds of it."""

    path: Path
    original_name: str
    content_type: str
    size_bytes: int
    sha256: str

    def columns(self) -> dict[str, Any]:
        """Return the values of a document record's file columns."""
        return {
            "stored_name": self.path.name,
            "original_name": self.original_name,
            "content_type": self.content_type,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
        }

    def store(self, session: Session, record: Document) -> Document:
        """Add the record of this file to ``session``; the file is removed if that fails."""
        try:
            session.add(record)
            session.flush()
        except BaseException:
            self.path.unlink(missing_ok=True)
            raise
        return record


def keep_file(
    stream: BinaryIO, uploads: Path, original_name: str, content_type: str, max_bytes: int
) -> KeptFile:
    """Write an upload to ``uploads`` under a generated name and return it.

    InputError (field ``file``) for an empty file or one over ``max_bytes``; then nothing is
    left behind. The caller removes the file if its record is not stored.
    """
    name = clean_file_name(original_name)
    suffix = Path(name).suffix.lower()
    stored_name = uuid.uuid4().hex + (suffix if _EXTENSION.fullmatch(suffix) else "")
    uploads.mkdir(parents=True, exist_ok=True)
    path = uploads / stored_name
    partial = uploads / f".{stored_name}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("xb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise InputError(
                        f"The file must be {readable_size(max_bytes)} or smaller", field="file"
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InputError("The selected file is empty", field="file")
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        raise
    return KeptFile(path, name, _content_type(content_type, name), size, digest.hexdigest())


def discard_version_file(uploads: Path, version: PlanVersion) -> None:
    """Remove a version's file, for when its record could not be committed."""
    version_path(uploads, version).unlink(missing_ok=True)
