// Stock at the counter (Shift+F4 or the Stock button): "do we have it?", answered by
// the box's own stock view (the hub's last snapshot plus this box's later sales and
// returns), so it works with no network. Type a name or SKU; each product shows what
// is on hand, per batch with its expiry, and the batch FEFO would sell next.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { call } from "./api";
import { message, T } from "./ui";

interface LotOut {
  batch_no: string | null; expiry: string | null; qty: number; qty_display: string;
  warning: { kind: "expired" | "expiring"; days_left: number } | null;
}
interface ItemOut {
  product_id: string; sku: string; name: string; unit: string; qty: number; qty_display: string;
  lots: LotOut[]; fefo_batch_no: string | null;
}
interface ListOut { snapshot: { as_of: string } | null; items: ItemOut[] }

const LIMIT = 20;

export function StockDialog(props: { t: T; onClose: () => void }) {
  const { t } = props;
  const [q, setQ] = useState("");
  const [found, setFound] = useState<ListOut | null>(null);
  const [problem, setProblem] = useState("");
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => { inputRef.current?.focus(); }, []);
  useEffect(() => {
    const text = q.trim();
    const timer = setTimeout(() => {
      const query = text ? `&q=${encodeURIComponent(text)}` : "";
      call<ListOut>("GET", `/api/v1/stock?limit=${LIMIT}${query}`)
        .then((listed) => { setFound(listed); setProblem(""); }, (err) => setProblem(message(t, err)));
    }, 150);
    return () => clearTimeout(timer);
  }, [q]);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  // Esc belongs to the dialog while it is open (the sell screen's keys wait).
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.preventDefault();
      e.stopPropagation();
      close.current();
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, []);
  const asOf = found?.snapshot ? new Date(found.snapshot.as_of).toLocaleString() : null;
  return (
    <div class="modal" role="dialog" aria-modal="true" data-testid="stock-dialog">
      <div class="modal-body stock-body">
        <h2>{t("stocklook.title")}</h2>
        <input ref={inputRef} data-testid="stock-search" type="search" value={q}
          placeholder={t("stocklook.search")} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <p><small data-testid="stock-as-of">{asOf ? t("stocklook.as_of", { when: asOf }) : t("stocklook.no_snapshot")}</small></p>
        {problem && <p class="error" role="alert">{problem}</p>}
        {found && found.items.length === 0 && <p data-testid="stock-none">{t("stocklook.none")}</p>}
        {found && found.items.length > 0 && (
          <table class="stock-list" data-testid="stock-list">
            <tbody>
              {found.items.map((item) => (
                <tr key={item.product_id} data-sku={item.sku} class={item.qty < 0 ? "short" : ""}>
                  <td>{item.name}<br /><small>{item.sku}</small></td>
                  <td class="num" data-testid="stock-qty">{item.qty_display} {item.unit}</td>
                  <td>
                    {item.lots.filter((lot) => lot.batch_no).map((lot) => (
                      <div key={lot.batch_no} data-testid="stock-lot" class={lot.warning ? lot.warning.kind : ""}>
                        {t("stock.batch", { batch: lot.batch_no ?? "", expiry: lot.expiry ?? "—" })}: {lot.qty_display}
                        {lot.batch_no === item.fefo_batch_no && <b> · {t("stocklook.next")}</b>}
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <button class="link" data-testid="stock-close" onClick={props.onClose}>{t("stocklook.close")} (Esc)</button>
      </div>
    </div>
  );
}
