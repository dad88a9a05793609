// The box API, same origin. The cashier's box token is kept for the tab
// (sessionStorage): a reload stays signed in, a closed tab does not.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface Staff { user_id: string; display_name: string; role: string }
export interface Member { user_id: string; user_code: string; display_name: string; role: string }
export interface SessionOut { session_id: string; expires_at: string; member: Member; token?: string | null }
export interface BoxStatus { store_name: string; device_name: string; outbox_depth: number }
export interface Product { product_id: string; sku: string; name: string; price: number | null; display: Record<string, string> }
export interface Line {
  line_no: number; product_id: string; sku: string; name: string; qty: number; unit_price: number;
  discount: number; charged: number; display: Record<string, string>;
  /** The batch the line takes (FEFO or chosen) and its expiry warning; absent without batches. */
  batch_no?: string | null; expiry?: string | null;
  expiry_warning?: { kind: "expired" | "expiring"; days_left: number } | null;
  /** The unit's serial number (serial-tracked products: one unit per line). */
  serial_no?: string | null;
}
export interface Totals { taxable: number; cgst: number; sgst: number; igst: number; cess: number; round_off: number; payable: number }
export interface Cart { cart_id: string; status: string; sale_id: string | null; lines: Line[]; totals: Totals; display: Record<string, string>; added_line?: number | null }
export type TenderKind = "cash" | "upi" | "card";
export interface Tender { kind: TenderKind; amount: number; reference?: string | null }
export interface Approval { user_id: string; pin: string; reason?: string }
export interface HeldBill { cart: Cart; held_at: string; held_by: string | null }
/** The sale's customer: phone (and name) for B2C; GSTIN and legal name for B2B. */
export interface Buyer { name?: string | null; phone?: string | null; gstin?: string | null; state?: string | null }
export interface GstinOut { gstin: string; state: string; state_name: string }
export interface SaleOut {
  sale: { sale_id: string; invoice_no: string; totals: { payable: number; tendered: number; change: number } };
  replayed: boolean;
  display: Record<string, string>;
}

export interface ReturnableLine { line_no: number; sku: string; name: string; sold: number; returned: number; returnable: number; display: Record<string, string> }
export interface SaleForReturn { sale: { sale_id: string; invoice_no: string }; lines: ReturnableLine[]; refunded: number }
export interface ReturnLineIn { line_no: number; qty: string }
export interface ReturnQuote { invoice_no: string; totals: { payable: number }; display: Record<string, string> }
// GET /api/v1/devices: the printer's detail.status is one word for the header.
export type PrinterStatus = "checking" | "ready" | "paper_low" | "paper_out" | "cover_open" | "offline";
export interface DeviceOut { name: string; kind: string; connected: boolean; detail: { status?: PrinterStatus } & Record<string, unknown> }
export interface PrintJob { job_id: string; kind: string; state: string }
export interface ReturnOut { note: { return_id: string; note_no: string; totals: { payable: number }; refunds: Tender[] }; replayed: boolean; display: Record<string, string> }

/** Denomination in paise -> pieces (the box keys counts by value). */
export type Count = Record<number, number>;
export interface Denomination { paise: number; form: string; shown: boolean; display: string }
export interface ByKind { cash: number; upi: number; card: number }
export interface ShiftReport { sales_count: number; net: number; returns_count: number; tenders: ByKind; refunds: ByKind }
export interface ShiftCurrent {
  open: { shift_id: string; opened_at: string; opened_by: string | null; opened_by_name: string | null; float_total: number; display: Record<string, string> } | null;
  x: { report: ShiftReport; float_total: number; expected_cash: number; display: Record<string, string> };
  last_z: string | null;
  denominations: Denomination[];
}
export interface ShiftZ {
  z: {
    shift_id: string; z_no: string; opened_at: string | null; closed_at: string; expected_cash: number; counted_total: number; over_short: number;
    counted: { denomination: number; pieces: number }[]; report: ShiftReport;
  };
  replayed: boolean;
  display: Record<string, string>;
}

const TOKEN = "pos.token";
export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN),
  set: (value: string | null) => (value ? sessionStorage.setItem(TOKEN, value) : sessionStorage.removeItem(TOKEN)),
};

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const t = token.get();
  if (t) headers.Authorization = `Bearer ${t}`;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "OFFLINE", "the box did not answer");
  }
  if (response.status === 204) return undefined as T;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const err = data?.error;
    throw new ApiError(response.status, err?.code ?? `HTTP_${response.status}`, err?.message ?? response.statusText, err?.details ?? {});
  }
  return data as T;
}

export const api = {
  box: () => call<BoxStatus>("GET", "/api/v1/box"),
  staff: () => call<Staff[]>("GET", "/api/v1/auth/staff"),
  signIn: (user_id: string, pin: string) => call<SessionOut>("POST", "/api/v1/auth/pin", { user_id, pin }),
  me: () => call<SessionOut>("GET", "/api/v1/auth/me"),
  signOut: () => call<void>("POST", "/api/v1/auth/logout"),
  newCart: (cart_id: string) => call<Cart>("POST", "/api/v1/carts", { cart_id }),
  cart: (id: string) => call<Cart>("GET", `/api/v1/carts/${id}`),
  addLine: (id: string, line: { code?: string; product_id?: string; serial_no?: string }) => call<Cart>("POST", `/api/v1/carts/${id}/lines`, line),
  setQty: (id: string, lineNo: number, qty: string, approval?: Approval) =>
    call<Cart>("PATCH", `/api/v1/carts/${id}/lines/${lineNo}`, approval ? { qty, approval } : { qty }),
  setDiscount: (id: string, lineNo: number, discount: number, approval?: Approval) =>
    call<Cart>("PATCH", `/api/v1/carts/${id}/lines/${lineNo}`, approval ? { discount, approval } : { discount }),
  voidLine: (id: string, lineNo: number, approval?: Approval) =>
    call<Cart>("DELETE", `/api/v1/carts/${id}/lines/${lineNo}`, approval ? { approval } : undefined),
  saleForReturn: (invoice: string) => call<SaleForReturn>("GET", `/api/v1/sales/by-invoice/${encodeURIComponent(invoice)}`),
  quoteReturn: (invoice_no: string, lines: ReturnLineIn[]) => call<ReturnQuote>("POST", "/api/v1/returns/quote", { invoice_no, lines }),
  recordReturn: (body: { return_id: string; invoice_no: string; lines: ReturnLineIn[]; refunds: Tender[]; reason: string; approval?: Approval }) =>
    call<ReturnOut>("POST", "/api/v1/returns", body),
  devices: () => call<DeviceOut[]>("GET", "/api/v1/devices"),
  reprintSale: (sale_id: string) => call<PrintJob>("POST", `/api/v1/sales/${sale_id}/receipt`),
  reprintReturn: (return_id: string) => call<PrintJob>("POST", `/api/v1/returns/${return_id}/receipt`),
  shiftCurrent: () => call<ShiftCurrent>("GET", "/api/v1/shifts/current"),
  printZ: (shift_id: string) => call<PrintJob>("POST", `/api/v1/shifts/${shift_id}/print`),
  openShift: (shift_id: string, float: Count) => call<unknown>("POST", "/api/v1/shifts/open", { shift_id, float }),
  closeShift: (body: { shift_id: string; counted: Count; note: string | null; approval?: Approval }) =>
    call<ShiftZ>("POST", "/api/v1/shifts/close", body),
  search: (q: string) => call<Product[]>("GET", `/api/v1/catalog/search?q=${encodeURIComponent(q)}&limit=8`),
  checkout: (id: string, sale_id: string, tenders: Tender[], buyer?: Buyer | null) =>
    call<SaleOut>("POST", `/api/v1/carts/${id}/checkout`, buyer ? { sale_id, tenders, buyer } : { sale_id, tenders }),
  hold: (id: string) => call<Cart>("POST", `/api/v1/carts/${id}/hold`),
  recall: (id: string) => call<Cart>("POST", `/api/v1/carts/${id}/recall`),
  held: () => call<HeldBill[]>("GET", "/api/v1/carts?state=held"),
  billDiscount: (id: string, off: { amount: number } | { percent_bp: number }, approval?: Approval) =>
    call<Cart>("POST", `/api/v1/carts/${id}/discount`, approval ? { ...off, approval } : off),
  customer: (phone: string) => call<{ buyer: Buyer }>("GET", `/api/v1/customers?phone=${encodeURIComponent(phone)}`),
  checkGstin: (gstin: string) => call<GstinOut>("GET", `/api/v1/customers/gstin/${encodeURIComponent(gstin)}`),
  /** The bill's UPI QR as an SVG data URL, for an <img> (the page's CSP allows data: images). */
  upiQr: async (id: string, amount: number): Promise<string> => {
    const headers: Record<string, string> = { Accept: "image/svg+xml" };
    const t = token.get();
    if (t) headers.Authorization = `Bearer ${t}`;
    let response: Response;
    try { response = await fetch(`/api/v1/carts/${id}/upi-qr.svg?amount=${amount}`, { headers }); }
    catch { throw new ApiError(0, "OFFLINE", "the box did not answer"); }
    if (!response.ok) {
      const err = (await response.json().catch(() => null))?.error;
      throw new ApiError(response.status, err?.code ?? `HTTP_${response.status}`, err?.message ?? response.statusText, err?.details ?? {});
    }
    return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(await response.text())}`;
  },
};

/** Milli-units from the box back to the text it accepts: 1250 -> "1.25". */
export function qtyText(milli: number): string {
  const whole = Math.trunc(milli / 1000);
  const frac = Math.abs(milli % 1000);
  return frac ? `${whole}.${String(frac).padStart(3, "0").replace(/0+$/, "")}` : String(whole);
}
