"""Structured errors: a stable code, a message, what to do, a correlation id.

Every error a person or a program can see is declared once here as an
:class:`ErrorSpec`. Raising ``SOME_SPEC.error(field=value)`` gives a
:class:`SetLedgerError` whose message is filled from the details. One place
in each app (``appkit.http``) maps the error's :class:`ErrorKind` to an
HTTP status; the kernel knows nothing of HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    MALFORMED = "malformed"
    INVALID = "invalid"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    TOO_LARGE = "too_large"
    UNAVAILABLE = "unavailable"
    INTERNAL = "internal"
    LOCKED = "locked"
    RATE_LIMITED = "rate_limited"


class SetLedgerError(Exception):
    """An error with a stable code that callers can act on."""

    def __init__(
        self,
        code: str,
        kind: ErrorKind,
        message: str,
        remediation: str,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.kind = kind
        self.message = message
        self.remediation = remediation
        self.details: dict[str, Any] = dict(details or {})

    def body(self, correlation_id: str | None) -> dict[str, Any]:
        """The JSON body every API returns for an error."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "remediation": self.remediation,
                "correlation_id": correlation_id,
                "details": self.details,
            }
        }


@dataclass(frozen=True)
class ErrorSpec:
    code: str
    kind: ErrorKind
    message: str
    remediation: str

    def error(self, **details: Any) -> SetLedgerError:
        """Build the error; ``message`` placeholders are filled from ``details``."""
        try:
            message = self.message.format(**details)
        except (KeyError, IndexError):
            message = self.message
        return SetLedgerError(self.code, self.kind, message, self.remediation, details)


_I = ErrorKind.INVALID

# Requests in general
REQUEST_MALFORMED = ErrorSpec(
    "REQUEST_MALFORMED",
    ErrorKind.MALFORMED,
    "The request body is not valid JSON.",
    "Send a JSON object with Content-Type: application/json.",
)
REQUEST_INVALID = ErrorSpec(
    "REQUEST_INVALID",
    _I,
    "The request has {count} invalid field(s).",
    "Correct the fields listed in details.fields and send it again.",
)
REQUEST_TOO_LARGE = ErrorSpec(
    "REQUEST_TOO_LARGE",
    ErrorKind.TOO_LARGE,
    "The request body is larger than {limit} bytes.",
    "Send a smaller request, e.g. split a large import into parts.",
)
ROUTE_NOT_FOUND = ErrorSpec(
    "ROUTE_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No such endpoint: {method} {path}.",
    "Check the URL against the API docs at /docs.",
)
METHOD_NOT_ALLOWED = ErrorSpec(
    "METHOD_NOT_ALLOWED",
    ErrorKind.METHOD_NOT_ALLOWED,
    "{method} is not allowed on {path}.",
    "Check the method against the API docs at /docs.",
)
INTERNAL_ERROR = ErrorSpec(
    "INTERNAL_ERROR",
    ErrorKind.INTERNAL,
    "Something went wrong on our side; nothing was saved.",
    "Try again. If it keeps happening, report the correlation id to support.",
)
UNAUTHENTICATED = ErrorSpec(
    "UNAUTHENTICATED",
    ErrorKind.UNAUTHENTICATED,
    "This endpoint needs a valid token.",
    "Send 'Authorization: Bearer <token>' with a token issued for this hub.",
)
ORG_NOT_FOUND = ErrorSpec(
    "ORG_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No organisation {org_id}.",
    "Check the organisation id (ORG-xxxxxxxx).",
)
STORE_NOT_FOUND = ErrorSpec(
    "STORE_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No store {store_id} in this organisation.",
    "List the organisation's stores and use one of their ids.",
)
DEVICE_NOT_FOUND = ErrorSpec(
    "DEVICE_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No device {device_id} in this organisation.",
    "List the organisation's devices and use one of their ids.",
)
DUPLICATE = ErrorSpec(
    "DUPLICATE",
    ErrorKind.CONFLICT,
    "A {thing} with {field} {value!r} already exists.",
    "Use a different {field}, or edit the existing {thing}.",
)

# Money, tax and catalog
GST_RATE_UNKNOWN = ErrorSpec(
    "GST_RATE_UNKNOWN",
    _I,
    "{rate_bp} basis points is not a GST rate.",
    "Use one of the notified rates, e.g. 500 for 5% or 1800 for 18%.",
)
CESS_RATE_INVALID = ErrorSpec(
    "CESS_RATE_INVALID",
    _I,
    "A cess of {cess_bp} basis points is out of range.",
    "Use an ad valorem cess between 0 and 30000 basis points (0-300%).",
)
STATE_CODE_UNKNOWN = ErrorSpec(
    "STATE_CODE_UNKNOWN",
    _I,
    "{code!r} is not a GST state code.",
    "Use the two-digit code from the GST state list, e.g. 27 for Maharashtra.",
)
GSTIN_INVALID = ErrorSpec(
    "GSTIN_INVALID",
    _I,
    "{gstin!r} is not a valid GSTIN.",
    "Check the 15 characters against the registration certificate.",
)
ROUND_OFF_OUT_OF_RANGE = ErrorSpec(
    "ROUND_OFF_OUT_OF_RANGE",
    _I,
    "The invoice round-off of {round_off} paise is beyond ±99.99.",
    "Split the bill into smaller invoices.",
)
INVOICE_INCONSISTENT = ErrorSpec(
    "INVOICE_INCONSISTENT",
    _I,
    "Invoice {invoice_no}: {reason}",
    "Fix the sale or the buyer details named in the message (place of supply, GSTIN, SEZ "
    "or export flag, the original invoice of a note) and build the invoice again.",
)
EINVOICE_NOT_APPLICABLE = ErrorSpec(
    "EINVOICE_NOT_APPLICABLE",
    _I,
    "Invoice {invoice_no} is {supply_type}; only B2B, SEZ and export documents are e-invoiced.",
    "Print B2C invoices without an IRN (RULES.md R19); give the buyer's GSTIN for B2B.",
)
EINVOICE_INVALID = ErrorSpec(
    "EINVOICE_INVALID",
    _I,
    "e-invoice {invoice_no} has {problem_count} problem(s), first: {first}",
    "Correct every field listed in details.problems (invoice, JSON path, reason) and "
    "generate the e-invoice again; nothing was exported.",
)
PRODUCT_NOT_FOUND = ErrorSpec(
    "PRODUCT_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No product matches {code!r}.",
    "Scan again, search by name, or type the SKU. Unknown codes go to the catalog team.",
)
PRODUCT_INACTIVE = ErrorSpec(
    "PRODUCT_INACTIVE",
    _I,
    "{name} ({sku}) is not for sale.",
    "Ask the manager to reactivate the product in the catalog.",
)
PRICE_MISSING = ErrorSpec(
    "PRICE_MISSING",
    _I,
    "{name} ({sku}) has no price in effect.",
    "Set a selling price for the product in the catalog.",
)
CATALOG_INVALID = ErrorSpec(
    "CATALOG_INVALID",
    _I,
    "The catalog entry {sku!r} is invalid: {reason}.",
    "Correct the entry and publish the catalog again.",
)

# Sales at the counter
SALE_EMPTY = ErrorSpec(
    "SALE_EMPTY",
    _I,
    "A sale needs at least one line.",
    "Scan or add an item before taking payment.",
)
SALE_TOO_MANY_LINES = ErrorSpec(
    "SALE_TOO_MANY_LINES",
    _I,
    "A sale may have at most {limit} lines.",
    "Split the bill into two sales.",
)
QTY_NOT_POSITIVE = ErrorSpec(
    "QTY_NOT_POSITIVE",
    _I,
    "Line {line} has quantity {qty}; a quantity must be above zero.",
    "Enter a quantity above zero, or remove the line (returns use a return, not a minus).",
)
QTY_INVALID = ErrorSpec(
    "QTY_INVALID",
    _I,
    "Line {line} has quantity {qty!r}; use at most 3 decimals.",
    "Enter a quantity like 2 or 1.25.",
)
QTY_NOT_WHOLE = ErrorSpec(
    "QTY_NOT_WHOLE",
    _I,
    "{name} is sold in whole units; line {line} has {qty}.",
    "Enter a whole number of pieces.",
)
DISCOUNT_INVALID = ErrorSpec(
    "DISCOUNT_INVALID",
    _I,
    "Line {line} has a discount of {discount} paise on {gross} paise.",
    "A discount must be between zero and the line amount.",
)
TENDER_MISSING = ErrorSpec(
    "TENDER_MISSING",
    _I,
    "The bill of {payable} paise has no payment.",
    "Add a cash, UPI or card payment.",
)
TENDER_NOT_POSITIVE = ErrorSpec(
    "TENDER_NOT_POSITIVE",
    _I,
    "Payment {index} is {amount} paise; payments must be above zero.",
    "Remove the payment or enter an amount above zero.",
)
TENDER_SHORT = ErrorSpec(
    "TENDER_SHORT",
    _I,
    "Payments of {tendered} paise do not cover the bill of {payable} paise.",
    "Take {short} paise more, or change the bill.",
)
TENDER_NONCASH_OVER = ErrorSpec(
    "TENDER_NONCASH_OVER",
    _I,
    "UPI and card payments of {noncash} paise exceed the bill of {payable} paise.",
    "Only cash can be over-tendered (change is given in cash). Lower the UPI/card amount.",
)
TENDER_REFERENCE_MISSING = ErrorSpec(
    "TENDER_REFERENCE_MISSING",
    _I,
    "Payment {index} by {kind} has no reference.",
    "Enter the UPI transaction reference or the card slip reference.",
)
SALE_ID_REUSED = ErrorSpec(
    "SALE_ID_REUSED",
    ErrorKind.CONFLICT,
    "Sale {sale_id} was already recorded with different contents.",
    "A retry must resend exactly the same sale. For a new sale, make a new sale id.",
)
SALE_NOT_FOUND = ErrorSpec(
    "SALE_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No sale {sale_id}.",
    "Check the sale id or the invoice number.",
)

# Returns (credit notes) at the counter
RETURN_ORIGINAL_NOT_FOUND = ErrorSpec(
    "RETURN_ORIGINAL_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No sale with invoice {invoice_no} was recorded at this box.",
    "Check the number on the receipt; a sale is returned at the box that sold it.",
)
RETURN_EMPTY = ErrorSpec(
    "RETURN_EMPTY",
    _I,
    "A return needs at least one line.",
    "Pick the lines of the invoice that come back and their quantities.",
)
RETURN_LINE_UNKNOWN = ErrorSpec(
    "RETURN_LINE_UNKNOWN",
    _I,
    "Invoice {invoice_no} has no line {line}, or it is named twice.",
    "Name each line of the invoice once, by its line number.",
)
RETURN_QTY_OVER = ErrorSpec(
    "RETURN_QTY_OVER",
    ErrorKind.CONFLICT,
    "Line {line} of invoice {invoice_no}: {qty} asked back, {returnable} can still be returned.",
    "Return at most what was sold less what was returned before (see the invoice's returnable).",
)
RETURN_REFUND_MISMATCH = ErrorSpec(
    "RETURN_REFUND_MISMATCH",
    _I,
    "Refunds of {refunded} paise do not add up to the credit note's {payable} paise.",
    "Refund exactly the note's payable (POST /api/v1/returns/quote tells it), in cash, UPI or card.",
)
RETURN_ID_REUSED = ErrorSpec(
    "RETURN_ID_REUSED",
    ErrorKind.CONFLICT,
    "Return {return_id} was already recorded with different contents.",
    "A retry must resend exactly the same return. For a new return, make a new return id.",
)
RETURN_NOT_FOUND = ErrorSpec(
    "RETURN_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No return {return_id}.",
    "Check the return id.",
)

# Shifts (float, cash count, X and Z reports) at the counter
SHIFT_COUNT_INVALID = ErrorSpec(
    "SHIFT_COUNT_INVALID",
    _I,
    "{pieces} piece(s) of {denomination} paise is not a cash count.",
    "Count whole pieces (0 or more) of Indian notes and coins: 2000, 500, 200, 100, 50, 20, "
    "10, 5, 2 and 1 rupees, keyed by their value in paise.",
)
SHIFT_ALREADY_OPEN = ErrorSpec(
    "SHIFT_ALREADY_OPEN",
    ErrorKind.CONFLICT,
    "Shift {open_shift} is already open at this box.",
    "Close the open shift (with its cash count) before opening another; "
    "GET /api/v1/shifts/current shows it.",
)
SHIFT_NOT_CURRENT = ErrorSpec(
    "SHIFT_NOT_CURRENT",
    ErrorKind.CONFLICT,
    "Shift {shift_id} is not the shift open at this box ({open_shift}).",
    "Close the open shift by its own id (GET /api/v1/shifts/current).",
)
SHIFT_ID_REUSED = ErrorSpec(
    "SHIFT_ID_REUSED",
    ErrorKind.CONFLICT,
    "Shift {shift_id} was already {what} with different contents.",
    "A retry must resend exactly the same request. For a new shift, make a new shift id.",
)
SHIFT_NOT_FOUND = ErrorSpec(
    "SHIFT_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No closed shift {shift_id} at this box.",
    "Check the shift id; GET /api/v1/shifts lists the recent Z reports.",
)
CART_NOT_FOUND = ErrorSpec(
    "CART_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No open cart {cart_id}.",
    "Start a new cart.",
)
CART_LINE_NOT_FOUND = ErrorSpec(
    "CART_LINE_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "Cart {cart_id} has no line {line}.",
    "Reload the cart and pick an existing line.",
)
CART_LOT_NOT_ON_HAND = ErrorSpec(
    "CART_LOT_NOT_ON_HAND",
    ErrorKind.NOT_FOUND,
    "The box's stock has no batch {batch_no!r} of {product_id}.",
    "Pick a batch that GET /api/v1/stock/<product id> lists for this store.",
)
SERIAL_REQUIRED = ErrorSpec(
    "SERIAL_REQUIRED",
    _I,
    "{name} ({sku}) is kept by serial number: each unit sold names its own.",
    "Scan or type the unit's serial number and add the item again with serial_no "
    "(one line per unit).",
)
SERIAL_QTY_INVALID = ErrorSpec(
    "SERIAL_QTY_INVALID",
    _I,
    "A line of {name} ({sku}) is one unit with its serial number, not {qty}.",
    "Add the item once per unit, each with its own serial number.",
)
SERIAL_NOT_TRACKED = ErrorSpec(
    "SERIAL_NOT_TRACKED",
    _I,
    "{name} ({sku}) is not kept by serial number.",
    "Leave serial_no out for this product, or mark it serial-tracked in the catalog first.",
)
SERIAL_TWICE_IN_BILL = ErrorSpec(
    "SERIAL_TWICE_IN_BILL",
    ErrorKind.CONFLICT,
    "Serial number {serial_no!r} of {name} is already on this bill (line {line}).",
    "Scan the serial number of the unit in hand: one line per unit, each serial once.",
)
SERIAL_ALREADY_SOLD = ErrorSpec(
    "SERIAL_ALREADY_SOLD",
    ErrorKind.CONFLICT,
    "Serial number {serial_no!r} of {name} was sold on invoice {invoice_no} at this box "
    "and has not been returned.",
    "Check the unit in hand and scan its own serial number; if this unit came back, "
    "record the return of that invoice first.",
)
CART_CLOSED = ErrorSpec(
    "CART_CLOSED",
    ErrorKind.CONFLICT,
    "Cart {cart_id} was already checked out as sale {sale_id}.",
    "Start a new cart for a new sale.",
)
CART_HELD = ErrorSpec(
    "CART_HELD",
    ErrorKind.CONFLICT,
    "The bill (cart {cart_id}) is on hold.",
    "Recall it first (POST /api/v1/carts/{cart_id}/recall), then change it or take payment.",
)
CART_NOT_HELD = ErrorSpec(
    "CART_NOT_HELD",
    ErrorKind.CONFLICT,
    "The bill (cart {cart_id}) is not on hold: it was recalled already or never held.",
    "Pick another held bill (GET /api/v1/carts?state=held lists them).",
)
CART_EMPTY = ErrorSpec(
    "CART_EMPTY",
    _I,
    "The bill (cart {cart_id}) has no items.",
    "Scan an item first.",
)
BILL_DISCOUNT_INVALID = ErrorSpec(
    "BILL_DISCOUNT_INVALID",
    _I,
    "A bill discount of {discount} paise is more than the bill's {amount} paise.",
    "Give a discount between zero and the bill's amount (after line discounts).",
)
CUSTOMER_NOT_FOUND = ErrorSpec(
    "CUSTOMER_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No sale at this box was made to phone {phone}.",
    "Type the customer's name (and GSTIN for a business) once; the next bill finds them.",
)
UPI_NOT_CONFIGURED = ErrorSpec(
    "UPI_NOT_CONFIGURED",
    ErrorKind.NOT_FOUND,
    "This box has no UPI address (VPA) for the shop, so it cannot show a payment QR.",
    "Set the UPI address in the org's tax profile on the hub; the box gets it with its "
    "next provisioning bundle. Meanwhile the customer pays to the shop's printed UPI QR.",
)
INVOICE_SERIES_EXHAUSTED = ErrorSpec(
    "INVOICE_SERIES_EXHAUSTED",
    ErrorKind.CONFLICT,
    "The invoice number {number!r} would exceed 16 characters.",
    "Give this box a shorter invoice prefix in the hub's device settings.",
)
INVOICE_PREFIX_INVALID = ErrorSpec(
    "INVOICE_PREFIX_INVALID",
    _I,
    "{prefix!r} cannot start an invoice number.",
    "Use 1-4 letters or digits, starting with a letter or 1-9.",
)
BOX_NOT_PROVISIONED = ErrorSpec(
    "BOX_NOT_PROVISIONED",
    ErrorKind.UNAVAILABLE,
    "This box has no store identity yet.",
    "Provision the box (org, store, device) before selling; see the README.",
)

# Wire contracts
CONTRACT_UNKNOWN = ErrorSpec(
    "CONTRACT_UNKNOWN",
    _I,
    "No message schema {schema!r} version {version}.",
    "Upgrade the receiver, or send a schema version it knows.",
)
CONTRACT_HASH_MISMATCH = ErrorSpec(
    "CONTRACT_HASH_MISMATCH",
    _I,
    "The payload does not match its sha256.",
    "Resend the message unchanged from the sender's outbox.",
)

# Hub (catalog master, registry, ingest). Hub-specific specs go here.
GSTIN_STATE_MISMATCH = ErrorSpec(
    "GSTIN_STATE_MISMATCH",
    _I,
    "GSTIN {gstin} is registered in state {gstin_state}, not {state_code}.",
    "A GSTIN belongs to one state: use the registration of the state given, or fix the state.",
)
HSN_INVALID = ErrorSpec(
    "HSN_INVALID",
    _I,
    "{hsn!r} is not an HSN code.",
    "Use the 4, 6 or 8 digit HSN code from the tariff (e.g. 1006 or 10063020).",
)
BARCODE_INVALID = ErrorSpec(
    "BARCODE_INVALID",
    _I,
    "{barcode!r} is not a usable barcode: {reason}.",
    "Check the digits printed under the bars; internal codes may use letters, digits "
    "and '-' (at most 32).",
)
PRICE_ABOVE_MRP = ErrorSpec(
    "PRICE_ABOVE_MRP",
    _I,
    "A selling price of {price} paise is above the MRP of {mrp} paise.",
    "Goods may not be sold above the printed MRP: lower the price or correct the MRP.",
)
CATALOG_PRODUCT_NOT_FOUND = ErrorSpec(
    "CATALOG_PRODUCT_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No product {product_id} in this organisation's catalog.",
    "List the organisation's products and use one of their ids.",
)


CATALOG_IMPORT_INVALID = ErrorSpec(
    "CATALOG_IMPORT_INVALID",
    _I,
    "The file has {problem_total} problem(s); nothing was imported.",
    "Correct the lines listed in details.problems (line, column, reason) and upload the "
    "whole file again. docs/CATALOG_IMPORT.md describes every column.",
)
CATALOG_IMPORT_NOT_FOUND = ErrorSpec(
    "CATALOG_IMPORT_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No catalog import {import_id} in this organisation.",
    "Use the id the upload answered with.",
)


BLOB_NOT_FOUND = ErrorSpec(
    "BLOB_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No blob {sha256} for this caller.",
    "Fetch the blobs named by the newest catalog manifest; older ones are deleted.",
)


# Hub accounts: sign-up, sign-in, TOTP, sessions, invitations, recovery, members.
SIGN_IN_FAILED = ErrorSpec(
    "SIGN_IN_FAILED",
    ErrorKind.UNAUTHENTICATED,
    "The username, password or code is not right.",
    "Check them and try again; with two-factor sign-in on, also send the current code from "
    "your authenticator app or a backup code. Repeated failures lock the account for a while.",
)
ACCOUNT_LOCKED = ErrorSpec(
    "ACCOUNT_LOCKED",
    ErrorKind.LOCKED,
    "Too many failed sign-ins: this account is locked for {retry_after_s} more seconds.",
    "Wait until the lock ends (the Retry-After header says when), or reset the password.",
)
RATE_LIMITED = ErrorSpec(
    "RATE_LIMITED",
    ErrorKind.RATE_LIMITED,
    "Too many requests for this {scope}; try again in {retry_after_s} seconds.",
    "Wait for the time in the Retry-After header before trying again.",
)
MFA_ENROLMENT_REQUIRED = ErrorSpec(
    "MFA_ENROLMENT_REQUIRED",
    ErrorKind.FORBIDDEN,
    "The {role} role needs two-factor sign-in: enrol an authenticator app first.",
    "Start at POST /api/v1/auth/totp/enrol, scan the QR code, and confirm with a code at "
    "POST /api/v1/auth/totp/confirm.",
)
ROLE_NOT_ALLOWED = ErrorSpec(
    "ROLE_NOT_ALLOWED",
    ErrorKind.FORBIDDEN,
    "A member with the {role} role may not {action}.",
    "Ask an owner or admin of the organisation to do it, or to change your role.",
)
PASSWORD_TOO_SHORT = ErrorSpec(
    "PASSWORD_TOO_SHORT",
    _I,
    "The password has {length} characters; it needs at least {min_length}.",
    "Use a longer password, or a passphrase of four or more words (at least 20 characters), "
    "e.g. 'chai biscuit monsoon ledger'.",
)
PASSWORD_TOO_SIMPLE = ErrorSpec(
    "PASSWORD_TOO_SIMPLE",
    _I,
    "The password uses only one kind of character.",
    "Mix letters with digits, capitals or symbols, or use a passphrase of four or more words "
    "(at least 20 characters).",
)
PASSWORD_TOO_COMMON = ErrorSpec(
    "PASSWORD_TOO_COMMON",
    _I,
    "This password is one of the most common passwords.",
    "Choose one nobody else would: a passphrase of four or more unrelated words works well.",
)
PASSWORD_HAS_USERNAME = ErrorSpec(
    "PASSWORD_HAS_USERNAME",
    _I,
    "The password contains the username.",
    "Choose a password that does not contain your username.",
)
CURRENT_PASSWORD_WRONG = ErrorSpec(
    "CURRENT_PASSWORD_WRONG",
    ErrorKind.FORBIDDEN,
    "The current password is not right.",
    "Enter the password you signed in with; if it is forgotten, sign out and reset it by e-mail.",
)
USERNAME_TAKEN = ErrorSpec(
    "USERNAME_TAKEN",
    ErrorKind.CONFLICT,
    "The username {username!r} is taken.",
    "Choose another username (3-32 letters, digits, '.', '_' or '-').",
)
TOTP_ALREADY_ENROLLED = ErrorSpec(
    "TOTP_ALREADY_ENROLLED",
    ErrorKind.CONFLICT,
    "An authenticator app is already enrolled for this member.",
    "To move to a new phone, recover with a backup code or ask an owner or admin to reset "
    "two-factor sign-in, then enrol again.",
)
TOTP_NOT_STARTED = ErrorSpec(
    "TOTP_NOT_STARTED",
    ErrorKind.CONFLICT,
    "No authenticator enrolment is in progress.",
    "Start one at POST /api/v1/auth/totp/enrol, then confirm it with a code.",
)
TOTP_CODE_WRONG = ErrorSpec(
    "TOTP_CODE_WRONG",
    _I,
    "That code is not right, or it was already used.",
    "Enter the current 6-digit code from the authenticator app; codes change every 30 seconds "
    "and each works once.",
)
TOTP_KEY_UNAVAILABLE = ErrorSpec(
    "TOTP_KEY_UNAVAILABLE",
    ErrorKind.UNAVAILABLE,
    "Two-factor codes cannot be checked now: the hub's secret key {key_id!r} is not "
    "available ({reason}).",
    "Sign in with a backup code meanwhile. Operators: restore the key in "
    "SETLEDGER_HUB_SECRET_KEYS or SETLEDGER_HUB_SECRET_KEY_FILE; keep old keys until rotation "
    "has re-encrypted every secret.",
)
TOTP_SECRET_UNREADABLE = ErrorSpec(
    "TOTP_SECRET_UNREADABLE",
    ErrorKind.UNAVAILABLE,
    "A two-factor secret does not decrypt with the hub's key {key_id!r}.",
    "Operators: the key with that id was changed; restore the original. Members: sign in with "
    "a backup code, or ask an owner or admin to reset two-factor sign-in.",
)
INVITE_INVALID = ErrorSpec(
    "INVITE_INVALID",
    ErrorKind.NOT_FOUND,
    "This invitation is not valid: it was used or withdrawn, or it expired.",
    "Ask an owner or admin of the organisation for a new invitation.",
)
INVITE_NOT_FOUND = ErrorSpec(
    "INVITE_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No open invitation {invite_id} in this organisation.",
    "List the organisation's open invitations and use one of their ids.",
)
RECOVERY_INVALID = ErrorSpec(
    "RECOVERY_INVALID",
    ErrorKind.NOT_FOUND,
    "This recovery link is not valid: it was used, or it expired (links last 30 minutes).",
    "Ask for a new link from the sign-in page.",
)
RECOVERY_CODE_WRONG = ErrorSpec(
    "RECOVERY_CODE_WRONG",
    ErrorKind.UNAUTHENTICATED,
    "The backup code is not right, or it was already used.",
    "Enter one of your unused backup codes. Without any, ask an owner or admin of the "
    "organisation to reset two-factor sign-in.",
)
MEMBER_NOT_FOUND = ErrorSpec(
    "MEMBER_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No member {member} in this organisation.",
    "List the organisation's members and use one of their ids (ORG-xxxxxxxx-U-nnnnnn).",
)
SESSION_NOT_FOUND = ErrorSpec(
    "SESSION_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No session {session_id} of yours.",
    "List your sessions and use one of their ids.",
)
LAST_OWNER = ErrorSpec(
    "LAST_OWNER",
    ErrorKind.CONFLICT,
    "{member} is the organisation's last active owner.",
    "Make another member an owner first.",
)
NOT_ON_YOURSELF = ErrorSpec(
    "NOT_ON_YOURSELF",
    ErrorKind.CONFLICT,
    "You cannot {action} yourself.",
    "Ask another owner or admin of the organisation.",
)
EMAIL_UNAVAILABLE = ErrorSpec(
    "EMAIL_UNAVAILABLE",
    ErrorKind.UNAVAILABLE,
    "The e-mail could not be sent ({reason}); nothing was kept.",
    "Try again later. Operators: check SETLEDGER_HUB_SMTP_HOST, _PORT and _TLS and the mail "
    "server's log.",
)


PIN_TOO_WEAK = ErrorSpec(
    "PIN_TOO_WEAK",
    _I,
    "That PIN is too easy to guess ({why}).",
    "Choose 4 to 6 digits that are not a run, a repeat or a well-known PIN.",
)


# Edge (store box). Box-specific specs go here.
CATALOG_VERSION_GAP = ErrorSpec(
    "CATALOG_VERSION_GAP",
    ErrorKind.CONFLICT,
    "A catalog delta from version {delta_from} cannot apply on version {applied}.",
    "Apply the full snapshot of the hub's current catalog instead.",
)
SIGN_IN_REQUIRED = ErrorSpec(
    "SIGN_IN_REQUIRED",
    ErrorKind.UNAUTHENTICATED,
    "Sign in at this box with your PIN first ({reason}).",
    "Pick your name on the sign-in screen, enter your PIN, and send the box's token as "
    "'Authorization: Bearer <token>'.",
)
PIN_REFUSED = ErrorSpec(
    "PIN_REFUSED",
    ErrorKind.UNAUTHENTICATED,
    "That PIN is not right, or this member may not sign in at this box.",
    "Enter the PIN again; after repeated wrong PINs the member is locked out for a while. "
    "A forgotten PIN is set again at the hub.",
)
PIN_LOCKED = ErrorSpec(
    "PIN_LOCKED",
    ErrorKind.LOCKED,
    "Too many wrong PINs for this member: locked at this box for {retry_after_s} s.",
    "Wait until the lock ends (the Retry-After header says when). If the PIN is forgotten, "
    "a manager sets a new one at the hub.",
)
APPROVAL_REQUIRED = ErrorSpec(
    "APPROVAL_REQUIRED",
    ErrorKind.FORBIDDEN,
    "This needs a manager's approval ({action}).",
    "Ask a store manager, admin or owner to enter their PIN, and send it again with "
    "approval: {user_id, pin}.",
)
APPROVAL_REFUSED = ErrorSpec(
    "APPROVAL_REFUSED",
    ErrorKind.FORBIDDEN,
    "The manager's approval was refused: {reason}.",
    "The approver must be an active store manager, admin or owner of this store, "
    "entering their own PIN.",
)


# The books (hub ledger)
LEDGER_UNBALANCED = ErrorSpec(
    "LEDGER_UNBALANCED",
    _I,
    "The entry for {source} does not balance: debits {debits} paise, credits {credits} paise.",
    "Every entry must balance to the paisa; fix the document (its tenders or totals), "
    "never add a plug line.",
)
LEDGER_ACCOUNT_UNKNOWN = ErrorSpec(
    "LEDGER_ACCOUNT_UNKNOWN",
    ErrorKind.NOT_FOUND,
    "No account {code} in the chart of accounts.",
    "Use a code of the template (docs in setledger/chart.py), 1100-<store code> for a "
    "store's cash, 4000-<rate bp> for sales at a rate, or <tax head>-<rate bp> "
    "(2210-1800) for output tax or returns at a rate.",
)
LEDGER_PERIOD_LOCKED = ErrorSpec(
    "LEDGER_PERIOD_LOCKED",
    ErrorKind.CONFLICT,
    "The books are locked through {locked_through}; an entry dated {entry_date} is refused.",
    "Date the entry after the lock (a correction of a closed period is posted in the "
    "open one, as a reversal or an adjustment).",
)
LEDGER_LOCK_BACKWARDS = ErrorSpec(
    "LEDGER_LOCK_BACKWARDS",
    ErrorKind.CONFLICT,
    "The books are already locked through {locked_through}; a lock only moves forward.",
    "Lock a later date. A closed period is corrected in the open one, never reopened.",
)
LEDGER_ENTRY_NOT_FOUND = ErrorSpec(
    "LEDGER_ENTRY_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No journal entry {entry_id} in this organisation.",
    "Use an entry id from the general ledger or the export.",
)
LEDGER_YEAR_INVALID = ErrorSpec(
    "LEDGER_YEAR_INVALID",
    _I,
    "{label!r} is not a financial year.",
    "Write the year as India's returns do, April to March: 2025-26.",
)
LEDGER_YEAR_OPEN = ErrorSpec(
    "LEDGER_YEAR_OPEN",
    ErrorKind.CONFLICT,
    "The financial year {label} runs until {last_day}; it cannot be closed yet.",
    "Close a year after 31 March, once its sales have reached the hub.",
)

DEBIT_NOTE_EMPTY = ErrorSpec(
    "DEBIT_NOTE_EMPTY",
    _I,
    "A debit note needs at least one line.",
    "Name the lines of the invoice that were under-charged and the extra taxable value of each.",
)
DEBIT_NOTE_LINE_UNKNOWN = ErrorSpec(
    "DEBIT_NOTE_LINE_UNKNOWN",
    _I,
    "Invoice {invoice_no} has no line {line}, or it is named twice.",
    "Name each line of the invoice once, by its line number (GET the sale to see them).",
)
DEBIT_NOTE_AMOUNT_INVALID = ErrorSpec(
    "DEBIT_NOTE_AMOUNT_INVALID",
    _I,
    "Line {line}: an extra taxable value of {taxable} paise is refused "
    "(more than 0, at most {maximum}).",
    "Give the extra taxable value (before tax) in paise; the tax is computed at the line's "
    "rate. To give money back, issue a credit note (a return).",
)
DEBIT_NOTE_ID_REUSED = ErrorSpec(
    "DEBIT_NOTE_ID_REUSED",
    ErrorKind.CONFLICT,
    "Debit note {debit_note_id} was already issued with different contents.",
    "A retry must resend exactly the same note. For a new note, make a new debit_note_id.",
)
DEBIT_NOTE_NOT_FOUND = ErrorSpec(
    "DEBIT_NOTE_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No debit note {debit_note_id}.",
    "Check the debit note id (GET .../debit-notes lists a month's notes).",
)
INVOICE_PREFIX_RESERVED = ErrorSpec(
    "INVOICE_PREFIX_RESERVED",
    _I,
    "{prefix!r} is reserved: the hub numbers its debit notes {prefix}/<year>/<serial>.",
    "Choose another prefix for the box (1-4 letters or digits).",
)
# Counter devices (edge/devices): scanners, and the device manager.
BOX_DEVICE_UNKNOWN = ErrorSpec(
    "BOX_DEVICE_UNKNOWN",
    ErrorKind.NOT_FOUND,
    "No device named {name!r} at this box.",
    "GET /api/v1/devices lists the devices in the box's settings (SETLEDGER_BOX_DEVICES).",
)
DEVICE_NOT_FAKE = ErrorSpec(
    "DEVICE_NOT_FAKE",
    ErrorKind.CONFLICT,
    "Device {name!r} is a real {transport} device; only fake devices take injected input.",
    "Scan with the real scanner, or configure a device with transport 'fake' for demos and tests.",
)
DEVICE_UNPLUGGED = ErrorSpec(
    "DEVICE_UNPLUGGED",
    ErrorKind.CONFLICT,
    "Fake device {name!r} is unplugged.",
    "Plug it back in (POST .../plug) before injecting a scan.",
)
SCAN_UNREADABLE = ErrorSpec(
    "SCAN_UNREADABLE",
    _I,
    "A scan from {device!r} could not be read ({reason}).",
    "Scan again. If it keeps failing, check the scanner is programmed for the keyboard layout "
    "set for it in the box's settings (us, de or fr) and sends Enter after each code.",
)
SCAN_NOT_TYPABLE = ErrorSpec(
    "SCAN_NOT_TYPABLE",
    _I,
    "A scanner set to layout {layout!r} cannot type {char!r}.",
    "Inject text of characters on that layout's keys (letters, digits, common punctuation), "
    "ending with at most one newline.",
)


POS_UI_NOT_BUILT = ErrorSpec(
    "POS_UI_NOT_BUILT",
    ErrorKind.UNAVAILABLE,
    "The counter UI has not been built on this box (no {index}).",
    "Build it with 'make pos-ui' (npm ci and the build in pos_ui/), then reload /pos/.",
)
POS_UI_ASSET_NOT_FOUND = ErrorSpec(
    "POS_UI_ASSET_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "The counter UI has no file {name!r}.",
    "Reload /pos/: the page names the files of the UI build this box serves.",
)
# The stock ledger at the hub (setledger/stock.py, hub/stock/ledger.py, services.py).
STOCK_LOCATION_NOT_FOUND = ErrorSpec(
    "STOCK_LOCATION_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No stock location {location_id} in this organisation.",
    "GET .../stock/locations lists them; a store's own location id is its store id.",
)
STOCK_LOCATION_KIND_INVALID = ErrorSpec(
    "STOCK_LOCATION_KIND_INVALID",
    _I,
    "Stock cannot {action} at {location_id}, a {kind} location.",
    "Use a store or warehouse location; the transit location is moved only by transfers.",
)
STOCK_QTY_INVALID = ErrorSpec(
    "STOCK_QTY_INVALID",
    _I,
    "{field} must be {rule} (milli-units, 1 unit = 1000), not {qty!r}.",
    "Send whole milli-units, e.g. 5000 for 5 pieces.",
)
STOCK_SERIAL_NOT_FOUND = ErrorSpec(
    "STOCK_SERIAL_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No serial number {serial_no!r} of product {product_id} in this organisation.",
    "Check the number (and the product); a serial is known once it was received or sold.",
)
CATALOG_TRACKING_CONFLICT = ErrorSpec(
    "CATALOG_TRACKING_CONFLICT",
    _I,
    "Product {sku} cannot be kept both by batch and by serial number.",
    "Set batch_tracked or serial_tracked, not both.",
)
STOCK_LOT_NOT_FOUND = ErrorSpec(
    "STOCK_LOT_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No lot {lot_id} of product {product_id} in this organisation.",
    "Create the lot (batch number, expiry) first, or leave lot_id out for untracked stock.",
)
STOCK_REQUEST_ID_REUSED = ErrorSpec(
    "STOCK_REQUEST_ID_REUSED",
    ErrorKind.CONFLICT,
    "Request {request_id} was already recorded with different lines or location.",
    "A retry must resend exactly the same receipt or adjustment. For a new one, make a new request id.",
)
STOCK_TRANSFER_SAME_LOCATION = ErrorSpec(
    "STOCK_TRANSFER_SAME_LOCATION",
    _I,
    "A transfer must go from one location to another, not from {location_id} to itself.",
    "Pick a different destination, or record an adjustment instead.",
)
STOCK_TRANSFER_NOT_FOUND = ErrorSpec(
    "STOCK_TRANSFER_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No stock transfer {transfer_id}.",
    "GET .../stock/transfers/{transfer_id} with the id the shipment returned.",
)
STOCK_TRANSFER_OVER_RECEIVED = ErrorSpec(
    "STOCK_TRANSFER_OVER_RECEIVED",
    ErrorKind.CONFLICT,
    "Transfer {transfer_id} has {outstanding} milli-units of {product_id} still in transit, "
    "not {qty}.",
    "Receive at most what is outstanding; record any extra found as an adjustment.",
)
# Stock reservations and stock exceptions (setledger/reservations.py, hub/stock/).
RESERVATION_QTY_INVALID = ErrorSpec(
    "RESERVATION_QTY_INVALID",
    _I,
    "{field} must be a positive whole number of milli-units (1 unit = 1000), not {qty!r}.",
    "Send the quantity in milli-units, e.g. 5000 for 5 pieces, and a non-empty order reference.",
)
RESERVATION_SOURCE_INVALID = ErrorSpec(
    "RESERVATION_SOURCE_INVALID",
    _I,
    "{source!r} is not a kind of order that reserves stock.",
    "Use one of: {allowed}.",
)
RESERVATION_EXCEEDS_AVAILABLE = ErrorSpec(
    "RESERVATION_EXCEEDS_AVAILABLE",
    ErrorKind.CONFLICT,
    "Only {available} milli-units are available to reserve here, not {qty}.",
    "Reserve at most the available quantity, reserve the rest at another location, or "
    "transfer stock in first.",
)
RESERVATION_NOT_ACTIVE = ErrorSpec(
    "RESERVATION_NOT_ACTIVE",
    ErrorKind.CONFLICT,
    "Reservation {reservation_id} is {status}, no longer active.",
    "Only an active reservation can be reduced, released, fulfilled or back-ordered; "
    "GET .../stock/reservations shows its history.",
)
RESERVATION_REDUCE_TOO_MUCH = ErrorSpec(
    "RESERVATION_REDUCE_TOO_MUCH",
    _I,
    "Reservation {reservation_id} holds {holds} milli-units; {qty} cannot come off it.",
    "Reduce by less than it holds, or release it whole.",
)
RESERVATION_NOT_FOUND = ErrorSpec(
    "RESERVATION_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No reservation {reservation_id}.",
    "GET .../stock/reservations lists the organisation's reservations.",
)
STOCK_RESOLUTION_INVALID = ErrorSpec(
    "STOCK_RESOLUTION_INVALID",
    _I,
    "{how!r} is not a way to resolve a stock exception.",
    "Use one of: {allowed}.",
)
STOCK_RESOLUTION_NEEDS_RESERVATION = ErrorSpec(
    "STOCK_RESOLUTION_NEEDS_RESERVATION",
    _I,
    "Resolving by {how} needs one of this exception's reservations ({reservations}).",
    "Name the reservation to release or back-order, or resolve by a transfer or an adjustment.",
)
STOCK_RESOLUTION_NEEDS_SOURCE = ErrorSpec(
    "STOCK_RESOLUTION_NEEDS_SOURCE",
    _I,
    "A transfer into {location_id} needs another location to ship from.",
    "Send from_location_id: a warehouse or store that has the stock.",
)
STOCK_EXCEPTION_NOT_FOUND = ErrorSpec(
    "STOCK_EXCEPTION_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No stock exception {exception_id}.",
    "GET .../stock/exceptions lists a store's exceptions.",
)
STOCK_EXCEPTION_RESOLVED = ErrorSpec(
    "STOCK_EXCEPTION_RESOLVED",
    ErrorKind.CONFLICT,
    "Stock exception {exception_id} is already resolved.",
    "Nothing to do; its resolutions are listed with it.",
)
# Urgent reorders raised at the box (edge/services/reorder.py, hub/stock/urgent.py).
REORDER_QTY_INVALID = ErrorSpec(
    "REORDER_QTY_INVALID",
    _I,
    "The quantity wanted must be more than 0 and at most {most} milli-units "
    "(1 unit = 1000), not {qty!r}.",
    "Type how many are needed, e.g. 12 (sent as 12000 milli-units).",
)
REORDER_ID_REUSED = ErrorSpec(
    "REORDER_ID_REUSED",
    ErrorKind.CONFLICT,
    "Urgent reorder {reorder_id} was raised before with other content.",
    "A retry must send the same product, quantity and note; a new request needs a new id.",
)
URGENT_REORDER_NOT_FOUND = ErrorSpec(
    "URGENT_REORDER_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No urgent reorder {reorder_id} in this organisation.",
    "GET .../stores/{store}/urgent-reorders lists a store's requests.",
)
URGENT_REORDER_STATE = ErrorSpec(
    "URGENT_REORDER_STATE",
    ErrorKind.CONFLICT,
    "Urgent reorder {reorder_id} is {status}; it cannot be {action}.",
    "Acknowledge an open request; order or dismiss an open or acknowledged one. "
    "Ordered and dismissed requests are closed: raise a new one if still needed.",
)


SUPPLIER_INVALID = ErrorSpec(
    "SUPPLIER_INVALID",
    _I,
    "The supplier's {field} {value!r} is not valid.",
    "Give a name, the GST state code of the supplier's place of business (the GSTIN's "
    "first two digits when it has one), a GSTIN with a correct check character, a phone "
    "of digits and an e-mail address, or leave the optional ones out.",
)
SUPPLIER_NOT_FOUND = ErrorSpec(
    "SUPPLIER_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "This organisation has no supplier {supplier_id}.",
    "List the suppliers (GET /api/v1/orgs/<org>/suppliers) and use one of their ids.",
)
PURCHASE_ORDER_INVALID = ErrorSpec(
    "PURCHASE_ORDER_INVALID",
    _I,
    "The purchase order's {field} is not valid: {rule}.",
    "Correct that field and send the request again; nothing was recorded.",
)
PURCHASE_ORDER_NOT_FOUND = ErrorSpec(
    "PURCHASE_ORDER_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "This organisation has no purchase order {po_id}.",
    "List the purchase orders (GET /api/v1/orgs/<org>/purchase-orders) and use one of their ids.",
)
PURCHASE_ORDER_STATE = ErrorSpec(
    "PURCHASE_ORDER_STATE",
    ErrorKind.CONFLICT,
    "Purchase order {number} is {status}; it cannot be {action}.",
    "Send a draft before receiving against it; cancel only what has received nothing "
    "(close it instead: the rest will not come); received, closed and cancelled orders "
    "are final: make a new order for more.",
)
PURCHASE_OVER_RECEIVED = ErrorSpec(
    "PURCHASE_OVER_RECEIVED",
    ErrorKind.CONFLICT,
    "Line {line_no} of {number}: {qty} more would exceed the {ordered} ordered "
    "({received} received so far, tolerance {tolerance_bp} bp).",
    "Receive at most what is outstanding; record the extra as a receipt without a "
    "purchase order (POST .../stock/receipts) or order it first.",
)
PURCHASE_RECEIPT_ID_REUSED = ErrorSpec(
    "PURCHASE_RECEIPT_ID_REUSED",
    ErrorKind.CONFLICT,
    "Receipt id {receipt_id} was already used for other goods.",
    "Make a new receipt id for each delivery; send the same id only to retry the same request.",
)
SUPPLIER_BILL_INVALID = ErrorSpec(
    "SUPPLIER_BILL_INVALID",
    _I,
    "The supplier bill cannot be recorded: {reason}.",
    "Bill receipts of this purchase order that no bill has covered yet, each line once, "
    "with costs of 0 or more; use a new bill id and the supplier's own bill number.",
)
PURCHASE_OVER_RETURNED = ErrorSpec(
    "PURCHASE_OVER_RETURNED",
    ErrorKind.CONFLICT,
    "Line {line_no} of {number}: {qty} would send back more than the {returnable} "
    "received and not yet returned ({received} received).",
    "Return at most what came in on that line and has not gone back already.",
)
PURCHASE_RETURN_ID_REUSED = ErrorSpec(
    "PURCHASE_RETURN_ID_REUSED",
    ErrorKind.CONFLICT,
    "Return id {return_id} was already used for other goods.",
    "Make a new return id for each return; send the same id only to retry the same request.",
)
PURCHASE_RETURN_INVALID = ErrorSpec(
    "PURCHASE_RETURN_INVALID",
    _I,
    "The goods cannot be returned to the supplier: {reason}.",
    "Return goods of this purchase order that are on hand at its delivery location: "
    "the lot or serial number they came in with, one line per serial-numbered unit.",
)
REORDER_RULE_INVALID = ErrorSpec(
    "REORDER_RULE_INVALID",
    _I,
    "Reorder rule min {min_qty} / max {max_qty} is not valid ({rule}).",
    "Give quantities in milli-units (1 unit = 1000) with 0 <= min <= max, max above 0, "
    "and a pack size above 0 if any.",
)

CATALOGUE: tuple[ErrorSpec, ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, ErrorSpec)
)
