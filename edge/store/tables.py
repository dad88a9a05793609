"""The box's tables (SQLAlchemy Core).

Core rather than an ORM: the sale path is a handful of keyed inserts and
lookups, and an identity map buys nothing there. Ids are UUID text so the
file stays readable with the sqlite3 shell. Times are UTC: ``*_ms`` integer
milliseconds for ordering, ISO text where people read them.

Append-only tables (sale, sale_line, sale_tender, stock_move, approval,
outbox contents) are guarded by triggers created in the migrations.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

box_identity = Table(
    "box_identity",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", String(12), nullable=False),
    Column("org_name", Text, nullable=False),
    Column("store_id", String(36), nullable=False),
    Column("store_name", Text, nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("device_name", Text, nullable=False),
    Column("invoice_prefix", String(4), nullable=False),
    Column("seller_state", String(2), nullable=False),
    Column("seller_gstin", String(15)),
    Column("provisioned_at", Text, nullable=False),
    # The hub's tax profile as JSON (SellerProfile); null: name and GSTIN only.
    Column("seller_profile", Text),
    CheckConstraint("id = 1", name="box_identity_singleton"),
)

box_epoch = Table(
    "box_epoch",
    metadata,
    Column("epoch", String(32), primary_key=True),
    Column("started_at", Text, nullable=False),
    Column("reason", Text, nullable=False),
)

catalog_state = Table(
    "catalog_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("applied_at", Text, nullable=False),
    CheckConstraint("id = 1", name="catalog_state_singleton"),
)

product = Table(
    "product",
    metadata,
    Column("product_id", String(36), primary_key=True),
    # NOCASE: a typed "atta-5kg" finds "ATTA-5KG", through the unique index.
    Column("sku", Text(collation="NOCASE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("search_name", Text, nullable=False),
    Column("hsn", String(8)),
    Column("unit", String(3), nullable=False),
    Column("fractional_qty", Boolean, nullable=False),
    Column("gst_rate_bp", Integer, nullable=False),
    Column("cess_bp", Integer, nullable=False),
    Column("price_includes_tax", Boolean, nullable=False),
    Column("category", Text),
    Column("active", Boolean, nullable=False),
    Column("variant_group", Text),
    Column("variant", Text),
    Column("batch_tracked", Boolean, nullable=False, server_default=false()),
    Column("serial_tracked", Boolean, nullable=False, server_default=false()),
    Column("shelf_life_days", Integer),
    Column("slug", Text),
    Index("product_sku", "sku", unique=True),
    Index("product_search_name", "search_name"),
    Index("product_slug", "slug"),
)

unknown_code = Table(
    "unknown_code",
    metadata,
    Column("code", Text, primary_key=True),
    Column("times", Integer, nullable=False),
    Column("first_seen", Text, nullable=False),
    Column("last_seen", Text, nullable=False),
)

product_price = Table(
    "product_price",
    metadata,
    Column("product_id", String(36), ForeignKey("product.product_id", ondelete="CASCADE")),
    Column("valid_from_ms", BigInteger, nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("mrp", BigInteger),
    PrimaryKeyConstraint("product_id", "valid_from_ms"),
)

barcode = Table(
    "barcode",
    metadata,
    Column("code", Text, primary_key=True),
    Column(
        "product_id",
        String(36),
        ForeignKey("product.product_id", ondelete="CASCADE"),
        nullable=False,
    ),
)

cart = Table(
    "cart",
    metadata,
    Column("cart_id", String(36), primary_key=True),
    Column("created_at", Text, nullable=False),
    Column("status", String(12), nullable=False),
    Column("sale_id", String(36)),
    Column("buyer", Text),
)

cart_line = Table(
    "cart_line",
    metadata,
    Column("cart_id", String(36), ForeignKey("cart.cart_id", ondelete="CASCADE")),
    Column("line_no", Integer, nullable=False),
    Column("product_id", String(36), nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("discount", BigInteger, nullable=False),
    Column("discount_approval_id", String(36)),
    Column("batch_no", Text),
    Column("expiry", String(10)),
    Column("serial_no", Text),
    PrimaryKeyConstraint("cart_id", "line_no"),
)
"""``discount_approval_id``: the manager's approval of this line's discount when
it is above the limit, so checkout does not ask for the PIN a second time.
``batch_no``/``expiry``: the lot the line takes (FEFO when added, or the
cashier's choice); null for a product with no lots in the stock snapshot.
``serial_no``: the unit of a serial-tracked product (such a line is one unit)."""

cart_hold = Table(
    "cart_hold",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("cart_id", String(36), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("at", Text, nullable=False),
    Column("user_id", String(36)),
    Column("user_name", Text),
    CheckConstraint("kind IN ('hold', 'recall')", name="cart_hold_kind"),
    Index("cart_hold_cart", "cart_id", "at"),
)
"""Holds and recalls of carts (append-only); a held cart's status is ``held``."""

invoice_series = Table(
    "invoice_series",
    metadata,
    Column("prefix", String(4), nullable=False),
    Column("financial_year", String(7), nullable=False),
    Column("last_serial", BigInteger, nullable=False),
    PrimaryKeyConstraint("prefix", "financial_year"),
)

sale = Table(
    "sale",
    metadata,
    Column("sale_id", String(36), primary_key=True),
    Column("invoice_no", String(16), nullable=False, unique=True),
    Column("financial_year", String(7), nullable=False),
    Column("sold_at", Text, nullable=False),
    Column("sold_at_ms", BigInteger, nullable=False),
    Column("business_date", String(10), nullable=False),
    Column("hlc", Text, nullable=False),
    Column("epoch", String(32), nullable=False),
    Column("seller_state", String(2), nullable=False),
    Column("place_of_supply", String(2), nullable=False),
    Column("supply_kind", String(5), nullable=False),
    Column("rounding", String(5), nullable=False),
    Column("buyer", Text),
    Column("cashier", Text),
    Column("taxable", BigInteger, nullable=False),
    Column("cgst", BigInteger, nullable=False),
    Column("sgst", BigInteger, nullable=False),
    Column("igst", BigInteger, nullable=False),
    Column("cess", BigInteger, nullable=False),
    Column("round_off", BigInteger, nullable=False),
    Column("payable", BigInteger, nullable=False),
    Column("tendered", BigInteger, nullable=False),
    Column("change", BigInteger, nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("correlation_id", Text),
    Index("sale_business_date", "business_date"),
    Index("sale_hlc", "hlc"),
)

sale_line = Table(
    "sale_line",
    metadata,
    Column("sale_id", String(36), ForeignKey("sale.sale_id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("product_id", String(36), nullable=False),
    Column("sku", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("hsn", String(8)),
    Column("unit", String(3), nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("unit_price", BigInteger, nullable=False),
    Column("price_includes_tax", Boolean, nullable=False),
    Column("discount", BigInteger, nullable=False),
    Column("rate_bp", Integer, nullable=False),
    Column("cess_bp", Integer, nullable=False),
    Column("taxable", BigInteger, nullable=False),
    Column("cgst", BigInteger, nullable=False),
    Column("sgst", BigInteger, nullable=False),
    Column("igst", BigInteger, nullable=False),
    Column("cess", BigInteger, nullable=False),
    Column("charged", BigInteger, nullable=False),
    Column("serial_no", Text),
    PrimaryKeyConstraint("sale_id", "line_no"),
)

sale_tender = Table(
    "sale_tender",
    metadata,
    Column("sale_id", String(36), ForeignKey("sale.sale_id"), nullable=False),
    Column("tender_no", Integer, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("reference", Text),
    PrimaryKeyConstraint("sale_id", "tender_no"),
)

stock_move = Table(
    "stock_move",
    metadata,
    Column("move_id", String(36), primary_key=True),
    Column("product_id", String(36), nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("reason", String(16), nullable=False),
    Column("sale_id", String(36), ForeignKey("sale.sale_id")),
    Column("line_no", Integer),
    Column("at_ms", BigInteger, nullable=False),
    Column("return_id", String(36)),
    Column("batch_no", Text),
    Column("expiry", String(10)),
    Column("epoch", String(32)),
    Column("stream", String(32)),
    Column("seq", BigInteger),
    Column("serial_no", Text),
    Index("stock_move_product", "product_id"),
    Index("stock_move_position", "product_id", "epoch", "stream", "seq"),
    Index("stock_move_serial", "product_id", "serial_no"),
)
"""``return_id``: set on restocking moves of a return (``sale_id`` stays empty
there, so a sale's own moves are those naming it). ``batch_no``/``expiry``:
the lot taken or put back. ``epoch``/``stream``/``seq``: the outbox position
of the sale or return that made the move, kept after the outbox row is pruned
so on-hand can tell the moves a stock snapshot already counts (null: recorded
before 0011 and already at the hub). ``serial_no``: the unit sold or put back (0013)."""

outbox = Table(
    "outbox",
    metadata,
    Column("row_id", Integer, primary_key=True, autoincrement=True),
    Column("epoch", String(32), nullable=False),
    Column("stream", String(32), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("key", Text, nullable=False),
    Column("schema_name", Text, nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("hlc", Text, nullable=False),
    Column("wall_time", Text, nullable=False),
    Column("correlation_id", Text),
    Column("payload", Text, nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    UniqueConstraint("epoch", "stream", "seq", name="outbox_position"),
    UniqueConstraint("stream", "key", name="outbox_key"),
    sqlite_autoincrement=True,
)

credit_note_series = Table(
    "credit_note_series",
    metadata,
    Column("prefix", String(4), nullable=False),
    Column("financial_year", String(7), nullable=False),
    Column("last_serial", BigInteger, nullable=False),
    PrimaryKeyConstraint("prefix", "financial_year"),
)
"""The box's credit note series per financial year (``<prefix>/<FY>/C<serial>``)."""

sale_return = Table(
    "sale_return",
    metadata,
    Column("return_id", String(36), primary_key=True),
    Column("note_no", String(16), nullable=False, unique=True),
    Column("financial_year", String(7), nullable=False),
    Column("returned_at", Text, nullable=False),
    Column("returned_at_ms", BigInteger, nullable=False),
    Column("business_date", String(10), nullable=False),
    Column("sale_id", String(36), ForeignKey("sale.sale_id"), nullable=False),
    Column("hlc", Text, nullable=False),
    Column("epoch", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("cashier", Text),
    Column("approval_id", String(36)),
    Column("taxable", BigInteger, nullable=False),
    Column("cgst", BigInteger, nullable=False),
    Column("sgst", BigInteger, nullable=False),
    Column("igst", BigInteger, nullable=False),
    Column("cess", BigInteger, nullable=False),
    Column("round_off", BigInteger, nullable=False),
    Column("payable", BigInteger, nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("correlation_id", Text),
    Index("sale_return_sale", "sale_id"),
    Index("sale_return_hlc", "hlc"),
)
"""Credit notes issued at this box, each for one sale of this box."""

sale_return_line = Table(
    "sale_return_line",
    metadata,
    Column("return_id", String(36), ForeignKey("sale_return.return_id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("discount", BigInteger, nullable=False),
    Column("taxable", BigInteger, nullable=False),
    Column("cgst", BigInteger, nullable=False),
    Column("sgst", BigInteger, nullable=False),
    Column("igst", BigInteger, nullable=False),
    Column("cess", BigInteger, nullable=False),
    Column("charged", BigInteger, nullable=False),
    PrimaryKeyConstraint("return_id", "line_no"),
)
"""What a note gives back of a line of the sale (``line_no`` is the sale's)."""

sale_return_refund = Table(
    "sale_return_refund",
    metadata,
    Column("return_id", String(36), ForeignKey("sale_return.return_id"), nullable=False),
    Column("refund_no", Integer, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("reference", Text),
    PrimaryKeyConstraint("return_id", "refund_no"),
)

shift_open = Table(
    "shift_open",
    metadata,
    Column("shift_id", String(36), primary_key=True),
    Column("opened_at", Text, nullable=False),
    Column("opened_at_ms", BigInteger, nullable=False),
    Column("hlc", Text, nullable=False),
    Column("opened_by", String(36)),
    Column("opened_by_name", Text),
    Column("float_count", Text, nullable=False),
    Column("float_total", BigInteger, nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("correlation_id", Text),
)
"""A shift opened with its float (``float_count``: canonical JSON ``{paise: pieces}``)."""

shift_close = Table(
    "shift_close",
    metadata,
    Column("shift_id", String(36), primary_key=True),
    Column("z_no", String(10), nullable=False, unique=True),
    Column("closed_at", Text, nullable=False),
    Column("closed_at_ms", BigInteger, nullable=False),
    Column("business_date", String(10), nullable=False),
    Column("hlc", Text, nullable=False),
    Column("from_hlc", Text),
    Column("epoch", String(32), nullable=False),
    Column("closed_by", String(36)),
    Column("approval_id", String(36)),
    Column("counted_total", BigInteger, nullable=False),
    Column("expected_cash", BigInteger, nullable=False),
    Column("over_short", BigInteger, nullable=False),
    Column("document", Text, nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("correlation_id", Text),
    Index("shift_close_hlc", "hlc"),
)
"""Z reports: a close covers sales and returns stamped after ``from_hlc`` (the
previous close) up to ``hlc``; ``document`` is the ``shift.closed`` sent up."""

shift_z_series = Table(
    "shift_z_series",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("last_serial", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="shift_z_series_one_row"),
)

stock_snapshot = Table(
    "stock_snapshot",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("as_of", Text, nullable=False),
    Column("applied_at", Text, nullable=False),
    CheckConstraint("id = 1", name="stock_snapshot_singleton"),
)
"""The version of the hub's stock snapshot the items below come from."""

stock_snapshot_item = Table(
    "stock_snapshot_item",
    metadata,
    Column("item_no", Integer, primary_key=True),
    Column("product_id", String(36), nullable=False),
    Column("batch_no", Text),
    Column("expiry", String(10)),
    Column("qty", BigInteger, nullable=False),
    Index("stock_snapshot_item_product", "product_id"),
)
"""On hand per product and batch as the hub knew it (replaced whole)."""

stock_snapshot_include = Table(
    "stock_snapshot_include",
    metadata,
    Column("epoch", String(32), nullable=False),
    Column("stream", String(32), nullable=False),
    Column("seq", BigInteger, nullable=False),
    PrimaryKeyConstraint("epoch", "stream"),
)
"""This box's outbox positions the snapshot already counts (per epoch, stream)."""

urgent_reorder = Table(
    "urgent_reorder",
    metadata,
    Column("reorder_id", String(36), primary_key=True),
    Column("product_id", String(36), nullable=False),
    Column("sku", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("on_hand_seen", BigInteger),
    Column("note", Text),
    Column("raised_by", String(36)),
    Column("raised_by_code", Text),
    Column("raised_by_name", Text),
    Column("raised_at", Text, nullable=False),
    Column("raised_at_ms", BigInteger, nullable=False),
    Column("hlc", Text, nullable=False),
    Column("epoch", String(32), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("document", Text, nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("correlation_id", Text),
    CheckConstraint("qty > 0", name="urgent_reorder_qty_positive"),
    Index("urgent_reorder_raised", "raised_at_ms"),
)
"""Urgent reorders raised at the counter (append-only); ``document`` is the
``reorder.urgent`` sent up from (``epoch``, ``reorders``, ``seq``) of the outbox."""

reorder_status = Table(
    "reorder_status",
    metadata,
    Column("reorder_id", String(36), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("po_reference", Text),
    Column("note", Text),
    Column("changed_at", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("applied_at", Text, nullable=False),
    Index("reorder_status_version", "version"),
)
"""The hub's last word on each of the store's urgent reorders (0014): replaced by a
newer ``reorder.status`` document (``version``); not a box record."""

APPEND_ONLY = (
    "sale",
    "sale_line",
    "sale_tender",
    "stock_move",
    "approval",
    "sale_return",
    "sale_return_line",
    "sale_return_refund",
    "shift_open",
    "shift_close",
    "urgent_reorder",
)
"""Rows here are never updated or deleted; corrections are new rows."""

hub_link = Table(
    "hub_link",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("hub_url", Text),
    Column("broker_url", Text),
    Column("mqtt_username", Text),
    Column("mqtt_password", Text),
    CheckConstraint("id = 1", name="hub_link_singleton"),
)
"""How this box reaches its hub: HTTP for blobs, MQTT for everything else.
The password is the device token; the file is the box's own disk."""

outbox_seq = Table(
    "outbox_seq",
    metadata,
    Column("epoch", String(32), nullable=False),
    Column("stream", String(32), nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    PrimaryKeyConstraint("epoch", "stream"),
)
"""The last seq given out per (epoch, stream). The outbox itself is pruned
after the hub's ack, so its max(seq) cannot say where to continue."""

outbox_ack = Table(
    "outbox_ack",
    metadata,
    Column("epoch", String(32), nullable=False),
    Column("stream", String(32), nullable=False),
    Column("acked_seq", BigInteger, nullable=False),
    Column("acked_at", Text, nullable=False),
    PrimaryKeyConstraint("epoch", "stream"),
)
"""The hub's cumulative application ack per (epoch, stream): the outbox is
pruned up to here and never beyond."""

clock_state = Table(
    "clock_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("hlc", Text, nullable=False),
    CheckConstraint("id = 1", name="clock_state_singleton"),
)
"""The newest HLC stamp learnt from the hub (provisioning, acks): the box's
clock never restarts below it, even with no sale yet and the RTC at 1970."""

staff_roster = Table(
    "staff_roster",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("generated_at", Text, nullable=False),
    Column("applied_at", Text, nullable=False),
    CheckConstraint("id = 1", name="staff_roster_singleton"),
)
"""The version of the hub's staff roster the members below come from."""

staff_member = Table(
    "staff_member",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("user_code", String(24), nullable=False),
    Column("display_name", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("pin_hash", Text),
    Column("active", Boolean, nullable=False),
)
"""Who may work this counter, as the newest roster says (replaced whole)."""

pin_guard = Table(
    "pin_guard",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("lockouts", Integer, nullable=False),
    Column("locked_until_ms", BigInteger, nullable=False),
)
"""Wrong PINs per member at this box. Apart from ``staff_member`` so a new
roster unlocks nobody, and in the database so a restart does not either."""

box_session = Table(
    "box_session",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("session_id", String(36), nullable=False, unique=True),
    Column("user_id", String(36), nullable=False),
    Column("started_at", Text, nullable=False),
    Column("expires_at_ms", BigInteger, nullable=False),
    Column("ended_at", Text),
    Column("end_reason", Text),
    Index("box_session_user", "user_id"),
)
"""Counter sessions. Only the token's sha256 is kept: a copy of the database
signs nobody in."""

approval = Table(
    "approval",
    metadata,
    Column("approval_id", String(36), primary_key=True),
    Column("action", String(16), nullable=False),
    Column("approved_by", String(36), nullable=False),
    Column("requested_by", String(36)),
    Column("sale_id", String(36)),
    Column("cart_id", String(36)),
    Column("amount", BigInteger),
    Column("reason", Text),
    Column("approved_at", Text, nullable=False),
    Column("hlc", Text, nullable=False),
    Column("epoch", String(32), nullable=False),
)
"""Manager PIN approvals (append-only), each written with what it approves."""

print_job = Table(
    "print_job",
    metadata,
    Column("job_id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("sale_id", String(36)),
    Column("return_id", String(36)),
    Column("payload", LargeBinary),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_ms", BigInteger, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("printed_at", Text),
    Column("last_error", Text),
    CheckConstraint(
        "kind IN ('receipt', 'reprint', 'credit_note', 'drawer', 'z_report')",
        name="print_job_kind",
    ),
    CheckConstraint("state IN ('queued', 'printing', 'printed', 'failed')", name="print_job_state"),
    Index("print_job_due", "state", "next_attempt_ms"),
    Index("print_job_sale", "sale_id"),
)
"""The receipt printer's durable queue, written after a sale's commit (never
inside it). ``payload`` is the ESC/POS bytes, rendered on the first attempt
so every retry prints the same slip; a drawer job carries its ESC p."""
