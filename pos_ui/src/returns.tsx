// Returns (F3): find the sale by its invoice number, choose what comes back,
// quote, refund, a manager approves, the box issues the credit note.
import { uuid7 } from "./ids";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, Approval, ReturnLineIn, ReturnOut, ReturnQuote, SaleForReturn, TenderKind } from "./api";
import { message, T } from "./ui";

export function ReturnsScreen(props: { t: T; approve: (reason: string) => Promise<Approval | null>; onBack: () => void }) {
  const { t } = props;
  const [invoice, setInvoice] = useState("");
  const [found, setFound] = useState<SaleForReturn | null>(null);
  const [qty, setQty] = useState<Record<number, string>>({});
  const [quoted, setQuoted] = useState<ReturnQuote | null>(null);
  const [kind, setKind] = useState<TenderKind>("cash");
  const [reference, setReference] = useState("");
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
  useLayoutEffect(() => {
    // Esc leaves, unless it is cancelling the manager's dialog over this screen.
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !document.querySelector(".modal")) { e.preventDefault(); props.onBack(); }
      else if (e.key === "F9") { e.preventDefault(); printAgainRef.current(); }
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
      setQuoted(await api.quoteReturn(found.sale.invoice_no, lines)); setError("");
      returnId.current = uuid7(); // one id per return: a retry is recorded once
    } catch (err) { setQuoted(null); setError(message(t, err)); }
  };
  const refund = async () => {
    if (!found || !quoted || !returnId.current || busy) return;
    if (kind !== "cash" && !reference.trim()) { setError(t("tender.need_reference")); return; }
    const body = {
      return_id: returnId.current, invoice_no: found.sale.invoice_no, lines: chosen(),
      refunds: [{ kind, amount: quoted.totals.payable, reference: kind === "cash" ? null : reference.trim() }],
      reason: reason.trim() || t("returns.reason_default"),
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
    } catch (err) { setError(message(t, err)); }
    finally { setBusy(false); }
  };
  if (done) {
    return (
      <main class="done" data-testid="return-done" data-return-id={done.note.return_id}>
        <h1>{t("returns.done", { note: done.note.note_no, amount: done.display.payable })}</h1>
        <button class="primary" onClick={props.onBack}>{t("returns.back")} (Esc)</button>
        <button data-testid="print-again" onClick={printAgain}>{t("print.again")} (F9)</button>
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
          <div class="kinds">
            {(["cash", "upi", "card"] as TenderKind[]).map((k) => (
              <button key={k} data-testid={`refund-${k}`} class={k === kind ? "chosen" : ""} onClick={() => setKind(k)}>{t(`tender.${k}`)}</button>
            ))}
          </div>
          {kind !== "cash" && <label>{t("tender.reference")}<input data-testid="refund-reference" value={reference} onInput={(e) => setReference((e.target as HTMLInputElement).value)} /></label>}
          <label>{t("returns.reason")}<input data-testid="return-reason" value={reason} placeholder={t("returns.reason_default")} onInput={(e) => setReason((e.target as HTMLInputElement).value)} /></label>
          <button class="primary wide" data-testid="return-refund" disabled={busy} onClick={refund}>{t("returns.refund")}</button>
        </section>
      )}
      <button class="link" onClick={props.onBack}>{t("returns.back")} (Esc)</button>
    </main>
  );
}
