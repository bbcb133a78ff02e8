"""SQLAlchemy 2 models: every table of Weiquan.

Migrations live in ``storage/migrations``; a test checks that they and these models agree.
Times are stored timezone-aware (UTC); JSON columns hold plain dicts and lists.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dialogs.vocabulary import (
    DEFAULT_LANGUAGE,
    ComplaintStatus,
    FetchStatus,
    Language,
    NoticeStatus,
    Platform,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention Alembic can diff reliably."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


Base.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite stores no offset and hands back naive values; comparing those with aware
    ones raises, so values are normalised to UTC on the way in and out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


TZDateTime = UTCDateTime()


def vocabulary(enum: type[StrEnum], length: int) -> Enum:
    """A column of one vocabulary (``dialogs/vocabulary.py``), stored as its plain strings.

    The schema stays what it was — ``VARCHAR(length)``, no CHECK constraint, no database
    enum type — so making a column typed needed no migration; rows read back as members,
    and a value that is not a member is refused before it reaches the database.
    """
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


PLATFORM = vocabulary(Platform, 16)
LANGUAGE = vocabulary(Language, 8)
COMPLAINT_STATUS = vocabulary(ComplaintStatus, 16)


class Identity(Base):
    """A consumer on one platform. Push state lives here (windows, blocks)."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[Platform] = mapped_column(PLATFORM)
    external_id: Mapped[str] = mapped_column(String(128))
    language: Mapped[Language] = mapped_column(LANGUAGE, default=DEFAULT_LANGUAGE)
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    last_inbound_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # Customer-service messages sent since the last inbound message (WeChat: 5 allowed).
    pushes_since_inbound: Mapped[int] = mapped_column(Integer, default=0)
    # WeChat: following, a menu click or a QR scan opens a short window (1 minute,
    # 3 customer-service messages) that a typed message's 48 hours do not depend on.
    last_interaction_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    pushes_since_interaction: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Subscription-notice consent per template id ("accept" / "reject"), as the
    # platform reported it; kept for sending subscription notices later.
    notice_consents: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_reason: Mapped[str | None] = mapped_column(String(200))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class ConversationRow(Base):
    """The intake dialog's state for one identity; ``version`` counts saved steps.

    ``answers`` (the draft: merchant, description, contact name and phone) is sealed
    with :meth:`storage.crypto.FieldCipher.seal`: a JSON string holding a Fernet token.
    Rows written before encryption hold the plain dict and are still read.
    """

    __tablename__ = "conversations"

    identity_id: Mapped[int] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(64), default="start")
    answers: Mapped[Any] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class ProcessedMessage(Base):
    """Dedupe: one row per (platform, consumer, delivery key), with the replies we gave.

    The key includes the consumer: message ids come from the client on some channels
    (web), and one consumer's id must never reach another consumer's replies.
    ``replies`` is sealed like ``ConversationRow.answers`` (it repeats the summary).

    ``delivery`` tracks replies we push after the transaction (Telegram): ``pending``
    (to send; an attempt holds it until ``claimed_until``), ``sent``, or ``refused``
    (the platform refused for good). None where the reply is the HTTP answer itself.
    """

    __tablename__ = "processed_messages"
    __table_args__ = (PrimaryKeyConstraint("platform", "identity_id", "message_key"),)

    platform: Mapped[Platform] = mapped_column(PLATFORM)
    message_key: Mapped[str] = mapped_column(String(200))
    identity_id: Mapped[int] = mapped_column(Integer)
    replies: Mapped[Any] = mapped_column(JSON, default=list)
    delivery: Mapped[str | None] = mapped_column(String(16))
    claimed_until: Mapped[datetime | None] = mapped_column(TZDateTime)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, index=True)


class Complaint(Base):
    """A filed complaint, report, consultation or suggestion."""

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_status_filed", "status", "filed_at"),
        Index("ix_complaints_identity", "identity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"))
    platform: Mapped[Platform] = mapped_column(PLATFORM)
    type: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(64))
    subcategory: Mapped[str | None] = mapped_column(String(64))
    merchant_name: Mapped[str | None] = mapped_column(String(200))
    merchant_address: Mapped[str | None] = mapped_column(String(500))
    order_number: Mapped[str | None] = mapped_column(String(100))
    incident_date: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    description: Mapped[str] = mapped_column(Text, default="")
    demands: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Contact details are encrypted at rest (storage/crypto.py); None when anonymous.
    contact_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    contact_phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # HMAC of the E.164 phone (FieldCipher.phone_index): exact search by phone number.
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    consent_share: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[Language] = mapped_column(LANGUAGE, default=DEFAULT_LANGUAGE)
    status: Mapped[ComplaintStatus] = mapped_column(
        COMPLAINT_STATUS, default=ComplaintStatus.SUBMITTED
    )
    filed_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    accept_due: Mapped[date | None] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    resolve_due: Mapped[date | None] = mapped_column(Date)
    # The other clocks (dialogs/clocks.py); each type has only some of them.
    mediation_due: Mapped[date | None] = mapped_column(Date)
    decision_due: Mapped[date | None] = mapped_column(Date)
    answer_due: Mapped[date | None] = mapped_column(Date)
    # {clock: times extended}; [clock, …] whose due date counts over provisional days.
    deadline_extensions: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=dict)
    provisional_deadlines: Mapped[list[Any] | None] = mapped_column(JSON, default=list)
    resolved_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # Data rights (storage/erasure.py): the consumer asked for erasure while the case was
    # open, so it is anonymised the moment it reaches a final status; ``anonymised_at``
    # marks a case kept only as an anonymous record. A legal hold (staff, with a note)
    # keeps a closed case whole past the retention period.
    erase_on_close: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymised_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_hold_note: Mapped[str | None] = mapped_column(Text)


class Consent(Base):
    """A consumer's consent to share their contact details with the merchant of a case.

    Given when the complaint is filed with ``consent_share``; ``withdrawn_at`` set when
    the consumer withdraws it (``撤回同意``). The merchant is named when known
    (``merchant_id`` refers to a merchant account where the deployment has them).
    """

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_id: Mapped[int] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), index=True
    )
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    merchant_name: Mapped[str | None] = mapped_column(String(200))
    merchant_id: Mapped[int | None] = mapped_column(Integer)
    given_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class BlobErasure(Base):
    """An evidence file to delete from the blob store once no evidence row names it.

    Written in the erasing transaction (so a rollback forgets it too); the background
    loop deletes the file after commit and removes the row.
    """

    __tablename__ = "blob_erasures"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class NumberSequence(Base):
    """The last sequence number given out on one local day (complaint numbers).

    Numbers read ``YYYYMMDD`` + a six-digit sequence that restarts at local midnight;
    one row per day, incremented as the filing transaction's last write (its row lock
    lasts until the commit).
    """

    __tablename__ = "number_sequences"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class ComplaintEvent(Base):
    """The timeline: status moves, notes, messages, assignments, ratings.

    ``kind`` is ``status``, ``note`` (staff only), ``message`` (to the consumer),
    ``assignment``, ``evidence`` or ``rating``. ``actor`` is ``consumer``, ``system`` or
    ``staff:<username>``.
    """

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[ComplaintStatus | None] = mapped_column(COMPLAINT_STATUS)
    to_status: Mapped[ComplaintStatus | None] = mapped_column(COMPLAINT_STATUS)
    actor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    # The code an entry is about, labelled when shown: a rejection's reason on a status
    # entry (dialogs/lifecycle.REJECTION_REASONS), an offer's kind on an entry about an
    # offer (storage/offers.OFFER_ENTRIES, KINDS).
    reason: Mapped[str | None] = mapped_column(String(32))
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class Evidence(Base):
    """A file a consumer sent. Recorded at once; the bytes may be fetched later.

    ``fetch_status``: ``stored`` (bytes in the blob store), ``pending`` (to be
    downloaded by the worker), ``failed`` (gave up, reason in ``last_error``),
    ``expired`` (the platform no longer has it), ``refused`` (too large or wrong type).
    """

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("platform", "source_key"),
        Index("ix_evidence_fetch", "fetch_status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"), index=True)
    platform: Mapped[Platform] = mapped_column(PLATFORM)
    source_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    platform_ref: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str | None] = mapped_column(String(200))
    mime: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    blob_key: Mapped[str | None] = mapped_column(String(100))
    caption: Mapped[str | None] = mapped_column(Text)
    fetch_status: Mapped[FetchStatus] = mapped_column(
        vocabulary(FetchStatus, 16), default=FetchStatus.PENDING
    )
    fetch_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class OutboxNotice(Base):
    """A message pushed to a consumer outside a reply (staff notices, prompts).

    ``status``: ``pending``, ``sending`` (claimed under a lease), ``sent``, ``retrying``,
    ``held`` (waits for the consumer's next message), ``dead``, ``undeliverable``.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_identity", "identity_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"))
    platform: Mapped[Platform] = mapped_column(PLATFORM)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    kind: Mapped[str] = mapped_column(String(32), default="notice")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[NoticeStatus] = mapped_column(
        vocabulary(NoticeStatus, 16), default=NoticeStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(TZDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_via: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class Staff(Base):
    """A staff account: ``agent``, ``supervisor`` or ``admin``; or a merchant's login
    (role ``merchant``, bound to ``merchant_id``), which reaches only the merchant pages."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    # Set only for role ``merchant``: the one merchant this login acts for.
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    # Raised to end every session and token issued before (bots/web/security.py).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AuditEntry(Base):
    """Who did what, when: every staff action."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, index=True)


class PlatformToken(Base):
    """A credential shared by every process (WeChat access token), when Redis is absent."""

    __tablename__ = "platform_tokens"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str | None] = mapped_column(String(1000))
    expires_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    refreshing_until: Mapped[datetime | None] = mapped_column(TZDateTime)


class LinkCode(Base):
    """A one-time code that lets a consumer link another channel to this identity.

    Only an HMAC of the code is stored; ``used_at`` marks it spent (single use).
    """

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_id: Mapped[int] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("identities.id", ondelete="SET NULL"))


class IdentityLink(Base):
    """Membership of a link group: identities of one consumer on several channels.

    An identity without a row is alone in its group. ``group_id`` is the lowest identity
    id that ever joined the group (a label, not a reference).
    """

    __tablename__ = "identity_links"

    identity_id: Mapped[int] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(Integer, index=True)
    linked_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class LinkAttempts(Base):
    """Wrong link codes an identity sent; too many lock its linking for a while."""

    __tablename__ = "link_attempts"

    identity_id: Mapped[int] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True
    )
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(TZDateTime)


class SeenNonce(Base):
    """A signed webhook's (timestamp, nonce) pair, kept for the replay window, without Redis.

    ``digest`` is the SHA-256 of the body first seen with the pair: WeChat's own retries
    repeat the body, a replay with another body does not.
    """

    __tablename__ = "seen_nonces"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(TZDateTime, index=True)


class CaseMessage(Base):
    """One message of a case's conversation (see storage/case_messages.py).

    ``author_kind`` is ``consumer`` (written in the chat), ``staff`` or ``merchant``;
    staff messages are still kept as ``message`` events, so today the rows are the
    consumer's. The text is personal data: only its encryption is stored. A consumer
    message is unread until the assignee (or, unassigned, any staff member) opens the
    case; ``read_at`` marks that.
    """

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    author_kind: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(100))
    identity_id: Mapped[int | None] = mapped_column(
        ForeignKey("identities.id", ondelete="SET NULL")
    )
    text_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class CaseRequest(Base):
    """Something the desk waits for from the consumer on a case: evidence or a rating.

    A row, not only a conversation state, so it outlives any dialog: ``status`` is
    ``open`` until it is ``answered`` (a file received, the rating given) or
    ``withdrawn`` by staff.
    """

    __tablename__ = "case_requests"
    __table_args__ = (Index("ix_case_requests_complaint_status", "complaint_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    requested_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(100))


class Merchant(Base):
    """A merchant in the registry; ``name_key`` is the normalised name used to match.

    ``credit_code`` is the 18-character unified social credit code (GB 32100-2015),
    checked before it is stored. ``odr``: the merchant takes part in online dispute
    resolution (answers complaints forwarded to it directly).
    """

    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    aliases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    address: Mapped[str | None] = mapped_column(String(500))
    contact: Mapped[str | None] = mapped_column(String(200))
    odr: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class MerchantCase(Base):
    """A complaint linked to a merchant, and where the merchant's part of it stands.

    ``answer_due`` is the merchant's answer clock (working days after the forward);
    ``answered_at`` its first message or offer; ``taken_back_at`` staff took the case
    back from an unanswering merchant.
    """

    __tablename__ = "merchant_cases"

    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True
    )
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    linked_by: Mapped[str] = mapped_column(String(100))
    forwarded_at: Mapped[datetime | None] = mapped_column(TZDateTime, index=True)
    forward_note: Mapped[str | None] = mapped_column(Text)
    answer_due: Mapped[date | None] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    taken_back_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class MerchantConsent(Base):
    """One consent decision about sharing a consumer's contact with one merchant.

    Append-only: ``decision`` is ``asked``, ``given``, ``refused`` or ``withdrawn``; the
    newest row for (complaint, merchant) is what holds (PIPL art. 23).
    """

    __tablename__ = "merchant_consents"
    __table_args__ = (Index("ix_merchant_consents_case", "complaint_id", "merchant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"))
    decision: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class MerchantOffer(Base):
    """A merchant's offer to settle: ``pending`` until the consumer accepts or declines,
    or it is ``expired`` after ``expires_on`` (a local date)."""

    __tablename__ = "merchant_offers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    made_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    expires_on: Mapped[date] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    decline_reason: Mapped[str | None] = mapped_column(Text)


class Settlement(Base):
    """What the parties agreed when the consumer accepted an offer: what, how much, by when."""

    __tablename__ = "settlements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int] = mapped_column(ForeignKey("merchant_offers.id"), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    text: Mapped[str] = mapped_column(Text)
    fulfil_by: Mapped[date] = mapped_column(Date)
    agreed_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class CasePresence(Base):
    """A staff member with a case open in the console, refreshed by the page's pulse.

    A row, not process memory: with two replicas the two staff members' pulses may
    land on different processes. Rows older than a few pulses mean "gone".
    """

    __tablename__ = "case_presence"

    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, index=True)
