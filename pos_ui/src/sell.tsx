// The sell screen: the open bill, search, quantities, and the keys that act on it.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, Cart, Product } from "./api";
import { formatRupees } from "./money";
import { T } from "./ui";

export function Sell(props: {
  t: T; cart: Cart | null; selected: number | null; setSelected: (n: number) => void; notice: string; error: string;
  onCode: (code: string) => void; onProduct: (p: Product) => void; onQty: (lineNo: number, delta: number) => void;
  onDiscount: (lineNo: number) => void; onVoid: (lineNo: number) => void; modal: boolean; onReturns: () => void;
  onShift: () => void; onReorder: (lineNo: number) => void;
  onPay: () => void; onSignOut: () => void; onHold: () => void; onBillDiscount: () => void; onCamera: () => void;
  onStock: () => void;
}) {
  const { t, cart } = props;
  const [q, setQ] = useState("");
  const [hits, setHits] = useState<Product[]>([]);
  const searchRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const text = q.trim();
    if (text.length < 2) { setHits([]); return; }
    const timer = setTimeout(() => api.search(text).then(setHits, () => setHits([])), 150);
    return () => clearTimeout(timer);
  }, [q]);
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (props.modal) return;
      const lines = cart?.lines ?? [];
      const idx = lines.findIndex((l) => l.line_no === props.selected);
      // Shift first: Shift+F7 holds or recalls and Shift+F8 is the bill discount (F7/F8 act on a line).
      if (e.key === "F7" && e.shiftKey) props.onHold();
      else if (e.key === "F2" && e.shiftKey) props.onCamera();
      else if (e.key === "F8" && e.shiftKey) props.onBillDiscount();
      else if (e.key === "F2") searchRef.current?.focus();
      else if (e.key === "F4" && e.shiftKey) props.onStock();
      else if (e.key === "F4") props.onPay();
      else if (e.key === "F3" && e.shiftKey) { if (props.selected !== null) props.onReorder(props.selected); }
      else if (e.key === "F3") props.onReturns();
      else if (e.key === "F9") props.onSignOut();
      // F6: the shift screen on an empty bill (or Shift+F6 anytime); on a chosen line, qty +.
      else if (e.key === "F6" && (e.shiftKey || !lines.length || props.selected === null)) props.onShift();
      else if (e.key === "F6" && props.selected !== null) props.onQty(props.selected, +1);
      else if (e.key === "F7" && props.selected !== null) props.onQty(props.selected, -1);
      else if (e.key === "F8" && props.selected !== null) props.onDiscount(props.selected);
      else if (e.key === "Delete" && props.selected !== null && document.activeElement !== searchRef.current) props.onVoid(props.selected);
      else if (e.key === "ArrowUp" && lines.length) props.setSelected(lines[Math.max(0, idx - 1)].line_no);
      else if (e.key === "ArrowDown" && lines.length) props.setSelected(lines[Math.min(lines.length - 1, idx + 1)].line_no);
      else if (e.key === "Escape" && document.activeElement === searchRef.current) { setQ(""); searchRef.current?.blur(); }
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [cart, props.selected, props.modal, props.onPay, props.onQty, props.onDiscount, props.onVoid, props.onReturns, props.onShift, props.onReorder, props.onSignOut, props.onHold, props.onBillDiscount, props.onCamera, props.onStock]);
  const pick = (p: Product) => { props.onProduct(p); setQ(""); setHits([]); searchRef.current?.blur(); };
  const totals = cart?.totals;
  const tax = totals ? totals.cgst + totals.sgst + totals.igst + totals.cess : 0;
  return (
    <main class="sell">
      <section class="left">
        <div class="search">
          <input ref={searchRef} data-testid="search" type="search" placeholder={`${t("sell.search")} (F2)`} value={q}
            onInput={(e) => setQ((e.target as HTMLInputElement).value)}
            onKeyDown={(e) => { if (e.key === "Enter" && hits.length) { e.preventDefault(); pick(hits[0]); } }} />
          {hits.length > 0 && (
            <ul class="hits">
              {hits.map((p) => (
                <li key={p.product_id}><button data-testid="hit" onClick={() => pick(p)}>
                  <span>{p.name}</span><small>{p.sku}</small><span class="num">{p.display.price ?? ""}</span>
                </button></li>
              ))}
            </ul>
          )}
        </div>
        <p class="hint">{props.error ? <span class="error" role="alert">{props.error}</span> : props.notice || t("sell.scan_hint")}</p>
        <table class="lines" data-testid="lines">
          <thead><tr><th>{t("sell.item")}</th><th class="qty">{t("sell.qty")}</th><th class="num">{t("sell.amount")}</th><th /></tr></thead>
          <tbody>
            {(cart?.lines ?? []).map((l) => (
              <tr key={l.line_no} data-line={l.line_no} data-sku={l.sku} class={l.line_no === props.selected ? "selected" : ""} onClick={() => props.setSelected(l.line_no)}>
                <td>
                  {l.name}<small>{l.sku} · {l.display.unit_price}</small>
                  {l.serial_no && <small data-testid="line-serial">{t("serial.line", { serial: l.serial_no })}</small>}
                  {l.batch_no && <small data-testid="line-batch">{t("stock.batch", { batch: l.batch_no, expiry: l.expiry ?? "—" })}</small>}
                  {l.expiry_warning && (
                    <small class="warn" role="status" data-testid="line-expiry-warning">
                      {l.expiry_warning.kind === "expired"
                        ? t("stock.expired", { days: String(-l.expiry_warning.days_left) })
                        : t("stock.expiring", { days: String(l.expiry_warning.days_left) })}
                    </small>
                  )}
                </td>
                <td class="qty">
                  <button class="step" aria-label="−" data-testid="qty-minus" onClick={(e) => { e.stopPropagation(); props.onQty(l.line_no, -1); }}>−</button>
                  <span data-testid="qty">{l.display.qty}</span>
                  <button class="step" aria-label="+" data-testid="qty-plus" onClick={(e) => { e.stopPropagation(); props.onQty(l.line_no, +1); }}>+</button>
                </td>
                <td class="num">
                  {l.display.charged}
                  {l.discount > 0 && <small data-testid="line-discount-shown">{t("discount.on_line", { amount: formatRupees(l.discount) })}</small>}
                </td>
                <td class="acts">
                  <button class="step" title="F8" data-testid="line-discount" onClick={(e) => { e.stopPropagation(); props.setSelected(l.line_no); props.onDiscount(l.line_no); }}>%</button>
                  <button class="step" title={`${t("reorder.button")} (Shift+F3)`} aria-label={t("reorder.button")} data-testid="line-reorder" onClick={(e) => { e.stopPropagation(); props.setSelected(l.line_no); props.onReorder(l.line_no); }}>↻</button>
                  <button class="step" title="Del" aria-label={t("void.button")} data-testid="line-void" onClick={(e) => { e.stopPropagation(); props.setSelected(l.line_no); props.onVoid(l.line_no); }}>✕</button>
                </td>
              </tr>
            ))}
            {cart && cart.lines.length === 0 && <tr><td colSpan={4} class="empty">{t("sell.empty")}</td></tr>}
          </tbody>
        </table>
      </section>
      <aside class="right">
        <dl class="totals">
          <dt>{t("sell.taxable")}</dt><dd>{formatRupees(totals?.taxable ?? 0)}</dd>
          <dt>{t("sell.tax")}</dt><dd>{formatRupees(tax)}</dd>
          <dt>{t("sell.round_off")}</dt><dd>{formatRupees(totals?.round_off ?? 0)}</dd>
          <dt class="big">{t("sell.payable")}</dt><dd class="big" data-testid="payable">{cart?.display.payable ?? formatRupees(0)}</dd>
        </dl>
        <button class="primary wide" data-testid="pay" disabled={!cart || cart.lines.length === 0} onClick={props.onPay}>{t("sell.pay")} (F4)</button>
        <button class="wide" data-testid="camera" onClick={props.onCamera}>{t("camera.button")} (Shift+F2)</button>
        <button class="wide" data-testid="stock" onClick={props.onStock}>{t("stocklook.button")} (Shift+F4)</button>
        <div class="pair">
          <button class="wide" data-testid="hold" onClick={props.onHold}>
            {cart && cart.lines.length ? t("hold.hold") : t("hold.recall")} (Shift+F7)
          </button>
          <button class="wide" data-testid="bill-discount" disabled={!cart || cart.lines.length === 0} onClick={props.onBillDiscount}>
            {t("bill_discount.button")} (Shift+F8)
          </button>
        </div>
        <button class="wide" data-testid="returns" onClick={props.onReturns}>{t("returns.title")} (F3)</button>
        <button class="wide" data-testid="shift" onClick={props.onShift}>{t("shift.title")} (F6)</button>
        <button class="wide" onClick={props.onSignOut}>{t("sell.signout")} (F9)</button>
      </aside>
    </main>
  );
}
