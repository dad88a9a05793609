// Returns (F3): find the sale by its invoice number, choose what comes back,
// quote, refund, a manager approves, the box issues the credit note.
import { uuid7 } from "./ids";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, Approval, ReturnLineIn, ReturnOut, ReturnQuote, SaleForReturn, Tender, TenderKind } from "./api";
import { formatRupees, parseRupees } from "./money";
import { message, T } from "./ui";

/** A return taken as credit on a new bill (an exchange): the note and what it is worth. */
export interface ExchangeCredit { note_no: string; amount: number }

export function ReturnsScreen(props: { t: T; approve: (reason: string) => Promise<Approval | null>; onBack: () => void; onExchange: (credit: ExchangeCredit) => void }) {
  const { t } = props;
  const [invoice, setInvoice] = useState("");
  const [found, setFound] = useState<SaleForReturn | null>(null);
  const [qty, setQty] = useState<Record<number, string>>({});
  const [quoted, setQuoted] = useState<ReturnQuote | null>(null);
  const [kind, setKind] = useState<TenderKind>("cash");
  const [reference, setReference] = useState("");
  // A split refund: parts already chosen (e.g. some by UPI), the rest on the chosen kind.
  const [parts, setParts] = useState<Tender[]>([]);
  const [partAmount, setPartAmount] = useState("");
  const [exchange, setExchange] = useState(false);
  const [reason, setReason] = useState("");
  const [done, setDone] = useState<ReturnOut | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [printed, setPrinted] = useState("");
  const returnId = useRef<string | null>(null);
  const invoiceRef = useRef<HTMLInputElement>(null);
  useEffect(() => { invoiceRef.current?.focus(); }, []);
  // The credit note again, marked DUPLICATE by the box.
  const printAgain = () => {
    if (!done) return;
    api.reprintReturn(done.note.return_id).then(
      () => { setPrinted(t("print.queued", { doc: done.note.note_no })); setError(""); },
      (err) => { setError(message(t, err)); setPrinted(""); },
    );
  };
  const printAgainRef = useRef(printAgain);
  printAgainRef.current = printAgain;
  // An exchange is a return refunded in cash that goes straight onto the next bill as
  // its cash payment: the drawer sees the refund and the payment cancel out, and the
  // books and the shift's expected cash stay right without a new kind of tender.
  const takeExchange = done && done.note.refunds.every((r) => r.kind === "cash")
    ? () => props.onExchange({ note_no: done.note.note_no, amount: done.note.totals.payable })
    : null;
  const exchangeRef = useRef(takeExchange);
  exchangeRef.current = takeExchange;
  useLayoutEffect(() => {
    // Esc leaves, unless it is cancelling the manager's dialog over this screen.
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !document.querySelector(".modal")) { e.preventDefault(); props.onBack(); }
      else if (e.key === "F9") { e.preventDefault(); printAgainRef.current(); }
      else if (e.key === "F5" && exchangeRef.current) { e.preventDefault(); exchangeRef.current(); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [props.onBack]);
  const chosen = (): ReturnLineIn[] =>
    Object.entries(qty).filter(([, q]) => q.trim() && Number(q) > 0).map(([n, q]) => ({ line_no: Number(n), qty: q.trim() }));
  const find = async () => {
    const no = invoice.trim();
    if (!no) return;
    setBusy(true);
    try {
      const sale = await api.saleForReturn(no);
      setFound(sale); setQty({}); setQuoted(null); setDone(null); setError(""); returnId.current = null;
    } catch (err) { setFound(null); setError(message(t, err)); }
    finally { setBusy(false); }
  };
  const quote = async () => {
    if (!found) return;
    const lines = chosen();
    if (!lines.length) { setError(t("returns.none_chosen")); return; }
    try {
      setQuoted(await api.quoteReturn(found.sale.invoice_no, lines)); setError(""); setParts([]); setPartAmount("");
      returnId.current = uuid7(); // one id per return: a retry is recorded once
    } catch (err) { setQuoted(null); setError(message(t, err)); }
  };
  const refund = async () => {
    if (!found || !quoted || !returnId.current || busy) return;
    const rest = quoted.totals.payable - parts.reduce((s, p) => s + p.amount, 0);
    const method: TenderKind = exchange ? "cash" : kind;
    if (rest > 0 && method !== "cash" && !reference.trim()) { setError(t("tender.need_reference")); return; }
    const refunds: Tender[] = exchange ? [{ kind: "cash", amount: quoted.totals.payable, reference: null }]
      : rest > 0 ? [...parts, { kind: method, amount: rest, reference: method === "cash" ? null : reference.trim() }] : parts;
    const body = {
      return_id: returnId.current, invoice_no: found.sale.invoice_no, lines: chosen(), refunds,
      reason: reason.trim() || t(exchange ? "exchange.reason" : "returns.reason_default"),
    };
    setBusy(true);
    try {
      try { setDone(await api.recordReturn(body)); }
      catch (err) {
        if (!(err instanceof ApiError && err.code === "APPROVAL_REQUIRED")) throw err;
        const approval = await props.approve(err.message);
        if (!approval) return;
        setDone(await api.recordReturn({ ...body, approval }));
      }
      setError("");
      if (exchange) exchangeNow.current = true;
    } catch (err) { setError(message(t, err)); }
    finally { setBusy(false); }
  };
  const addPart = () => {
    if (!quoted) return;
    const left = quoted.totals.payable - parts.reduce((s, p) => s + p.amount, 0);
    const paise = parseRupees(partAmount);
    if (paise === null || paise <= 0 || paise >= left) { setError(t("refund.part_amount", { left: formatRupees(left) })); return; }
    if (kind !== "cash" && !reference.trim()) { setError(t("tender.need_reference")); return; }
    setParts([...parts, { kind, amount: paise, reference: kind === "cash" ? null : reference.trim() }]);
    setPartAmount(""); setReference(""); setError("");
  };
  // Chosen as an exchange: the credit goes to the new bill as soon as the note exists.
  const exchangeNow = useRef(false);
  useEffect(() => {
    if (done && exchangeNow.current && takeExchange) { exchangeNow.current = false; takeExchange(); }
  }, [done]);
  if (done) {
    return (
      <main class="done" data-testid="return-done" data-return-id={done.note.return_id}>
        <h1>{t("returns.done", { note: done.note.note_no, amount: done.display.payable })}</h1>
        <button class="primary" onClick={props.onBack}>{t("returns.back")} (Esc)</button>
        <button data-testid="print-again" onClick={printAgain}>{t("print.again")} (F9)</button>
        {takeExchange && <button data-testid="exchange-now" onClick={takeExchange}>{t("exchange.now", { amount: done.display.payable })} (F5)</button>}
        {printed && <p data-testid="reprinted">{printed}</p>}
        {error && <p class="error" role="alert">{error}</p>}
      </main>
    );
  }
  return (
    <main class="returns">
      <h1>{t("returns.title")}</h1>
      <div class="search">
        <input ref={invoiceRef} data-testid="return-invoice" placeholder={t("returns.invoice")} value={invoice}
          onInput={(e) => setInvoice((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); find(); } }} />
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {found && (
        <table class="lines" data-testid="return-lines">
          <thead><tr><th>{t("sell.item")}</th><th class="qty">{t("returns.returnable")}</th><th class="qty">{t("returns.qty")}</th></tr></thead>
          <tbody>
            {found.lines.map((l) => (
              <tr key={l.line_no} data-line={l.line_no} data-sku={l.sku}>
                <td>{l.name}<small>{l.sku}</small></td>
                <td class="qty">{l.display.returnable}</td>
                <td class="qty"><input data-testid="return-qty" inputMode="decimal" disabled={l.returnable <= 0} value={qty[l.line_no] ?? ""}
                  onInput={(e) => { setQty({ ...qty, [l.line_no]: (e.target as HTMLInputElement).value }); setQuoted(null); }} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {found && <button class="wide" data-testid="return-quote" onClick={quote}>{t("returns.quote")}</button>}
      {quoted && (
        <section class="refund">
          <p class="big">{t("returns.refund_due")} <strong data-testid="return-payable">{quoted.display.payable}</strong></p>
          {!exchange && (
            <div class="kinds">
              {(["cash", "upi", "card"] as TenderKind[]).map((k) => (
                <button key={k} data-testid={`refund-${k}`} class={k === kind ? "chosen" : ""} onClick={() => setKind(k)}>{t(`tender.${k}`)}</button>
              ))}
            </div>
          )}
          <label class="check"><input type="checkbox" data-testid="refund-exchange" checked={exchange}
            onChange={(e) => { setExchange((e.target as HTMLInputElement).checked); setParts([]); }} /> {t("exchange.choose")}</label>
          {!exchange && kind !== "cash" && <label>{t("tender.reference")}<input data-testid="refund-reference" value={reference} onInput={(e) => setReference((e.target as HTMLInputElement).value)} /></label>}
          {!exchange && (
            <div class="split">
              <label>{t("refund.part")}<input data-testid="refund-part-amount" inputMode="decimal" value={partAmount}
                onInput={(e) => setPartAmount((e.target as HTMLInputElement).value)} /></label>
              <button data-testid="refund-add-part" onClick={addPart}>{t("refund.add_part")}</button>
            </div>
          )}
          {parts.length > 0 && (
            <ul class="paid" data-testid="refund-parts">
              {parts.map((p, i) => <li key={i}><span>{t(`tender.${p.kind}`)}{p.reference ? ` · ${p.reference}` : ""}</span><span class="num">{formatRupees(p.amount)}</span></li>)}
              <li><span>{t("refund.rest", { kind: t(`tender.${kind}`) })}</span><span class="num" data-testid="refund-rest">{formatRupees(quoted.totals.payable - parts.reduce((s, p) => s + p.amount, 0))}</span></li>
            </ul>
          )}
          <label>{t("returns.reason")}<input data-testid="return-reason" value={reason} placeholder={t("returns.reason_default")} onInput={(e) => setReason((e.target as HTMLInputElement).value)} /></label>
          <button class="primary wide" data-testid="return-refund" disabled={busy} onClick={refund}>{t(exchange ? "exchange.refund" : "returns.refund")}</button>
        </section>
      )}
      <button class="link" onClick={props.onBack}>{t("returns.back")} (Esc)</button>
    </main>
  );
}
