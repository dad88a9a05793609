// Urgent reorder (Shift+F3 or the line's ↻ button): the cashier asks head office
// for more of a product. The box records it and sends it to the hub when it can,
// so this works with no network; the request's id is made once when the dialog
// opens, so pressing Send again after a lost answer never asks twice. Below the
// form, the box's recent requests say what head office did with them
// ("ordered: PO-00012"), as far as the box has heard.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { ApiError, call, qtyText } from "./api";
import { uuid7 } from "./ids";
import { message, T } from "./ui";

export interface ReorderProduct { product_id: string; sku: string; name: string }
export interface ReorderOut {
  reorder_id: string; product_id: string; sku: string; name: string; qty: number; on_hand_seen: number | null;
  note: string | null; raised_at: string; delivered: boolean; display: Record<string, string>;
  status: "open" | "acknowledged" | "ordered" | "dismissed" | null; po_reference: string | null;
  status_note: string | null; status_at: string | null;
}
interface StockOut { qty: number; qty_display: string; unit: string }

const MAX_MILLI = 1_000_000_000;
const LISTED = 5;

export const reorders = {
  raise: (body: { reorder_id: string; product_id: string; qty: number; note: string | null }) =>
    call<{ reorder: ReorderOut; replayed: boolean }>("POST", "/api/v1/reorders", body),
  list: (limit: number) => call<ReorderOut[]>("GET", `/api/v1/reorders?limit=${limit}`),
  stock: (product_id: string) => call<StockOut>("GET", `/api/v1/stock/${product_id}`),
};

/** "12", "2.5", "0.250" -> milli-units (12000, 2500, 250); null when not a quantity above 0. */
export function parseQty(text: string): number | null {
  const m = /^(\d{1,7})(?:\.(\d{1,3}))?$/.exec(text.replace(/\s/g, ""));
  if (!m) return null;
  const milli = Number(m[1]) * 1000 + Number((m[2] ?? "").padEnd(3, "0"));
  return milli > 0 && milli <= MAX_MILLI ? milli : null;
}

export function ReorderDialog(props: { t: T; product: ReorderProduct; onSent: (r: ReorderOut) => void; onCancel: () => void }) {
  const { t, product } = props;
  const reorderId = useRef(uuid7());
  const [qty, setQty] = useState("");
  const [note, setNote] = useState("");
  const [onHand, setOnHand] = useState<string | null>(null);
  const [local, setLocal] = useState("");
  const [busy, setBusy] = useState(false);
  const [recent, setRecent] = useState<ReorderOut[]>([]);
  const qtyRef = useRef<HTMLInputElement>(null);
  useEffect(() => { qtyRef.current?.focus(); }, []);
  useEffect(() => {
    // What the box's own stock view says (the hub's last snapshot plus its later sales).
    reorders.stock(product.product_id).then((s) => setOnHand(s.qty_display), () => setOnHand(null));
  }, [product.product_id]);
  useEffect(() => { reorders.list(LISTED).then(setRecent, () => setRecent([])); }, []);
  const send = async () => {
    if (busy) return;
    const milli = parseQty(qty.trim());
    if (milli === null) { setLocal(t("reorder.bad_qty")); return; }
    setBusy(true);
    try {
      const done = await reorders.raise({ reorder_id: reorderId.current, product_id: product.product_id, qty: milli, note: note.trim() || null });
      props.onSent(done.reorder);
    } catch (err) {
      setLocal(err instanceof ApiError && err.status === 0 ? t("reorder.box_down") : message(t, err));
    } finally {
      setBusy(false);
    }
  };
  const actions = useRef({ send, cancel: props.onCancel });
  actions.current = { send, cancel: props.onCancel };
  // Enter and Esc belong to the dialog while it is open (the sell screen's keys wait).
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Enter") actions.current.send();
      else if (e.key === "Escape") actions.current.cancel();
      else return;
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, []);
  return (
    <div class="modal" role="dialog" aria-modal="true" data-testid="reorder-dialog">
      <div class="modal-body">
        <h2>{t("reorder.title", { name: product.name })}</h2>
        <p><small>{product.sku}</small></p>
        <p data-testid="reorder-on-hand">{t("reorder.on_hand", { qty: onHand ?? "—" })}</p>
        <label>{t("reorder.qty")}
          <input ref={qtyRef} data-testid="reorder-qty" inputMode="decimal" value={qty} placeholder="12"
            onInput={(e) => { setQty((e.target as HTMLInputElement).value); setLocal(""); }} />
        </label>
        <label>{t("reorder.note")}
          <input data-testid="reorder-note" maxLength={500} value={note}
            onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        </label>
        {local && <p class="error" role="alert" data-testid="reorder-error">{local}</p>}
        <button class="primary wide" data-testid="reorder-send" disabled={busy} onClick={send}>{t("reorder.send")} (Enter)</button>
        <button class="link" onClick={props.onCancel}>{t("approval.cancel")} (Esc)</button>
        {recent.length > 0 && (
          <div class="reorder-requests" data-testid="reorder-requests">
            <h3>{t("reorder.requests")}</h3>
            <ul>
              {recent.map((r) => (
                <li key={r.reorder_id} data-testid="reorder-request" data-reorder-id={r.reorder_id}>
                  {r.display.qty ?? qtyText(r.qty)} × {r.name}: <b data-testid="reorder-status">{statusText(t, r)}</b>
                  {r.status_note && <small> ({r.status_note})</small>}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </div>
  );
}

/** What became of a request, as far as the box has heard: the hub's status, else
 *  whether it reached the hub yet. */
export function statusText(t: T, r: ReorderOut): string {
  if (r.status === "ordered") return t("reorder.status.ordered", { po: r.po_reference ?? "—" });
  if (r.status) return t(`reorder.status.${r.status}`);
  return t(r.delivered ? "reorder.status.delivered" : "reorder.status.waiting");
}

/** The notice after sending: how many, and whether the hub has it yet. */
export function sentNotice(t: T, r: ReorderOut): string {
  return t(r.delivered ? "reorder.sent_delivered" : "reorder.sent_waiting", { qty: r.display.qty ?? qtyText(r.qty), name: r.name });
}
