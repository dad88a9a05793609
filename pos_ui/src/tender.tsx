// Tender (cash with change, UPI, card, split) and the sale-done screen.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, Buyer, Cart, SaleOut, Tender, TenderKind } from "./api";
import { CustomerPanel, CustomerState, UpiQr } from "./customer";
import { formatRupees, parseRupees } from "./money";
import type { ExchangeCredit } from "./returns";
import { message, T } from "./ui";

export function TenderScreen(props: { t: T; cart: Cart; busy: boolean; error: string; credit?: ExchangeCredit | null; onBack: () => void; onComplete: (tenders: Tender[], buyer: Buyer | null) => void }) {
  const { t, cart } = props;
  const payable = cart.totals.payable;
  // An exchange's credit is the bill's first payment: cash the drawer paid out as the refund
  // and takes back here. Worth more than the new bill, the rest is change.
  const [tenders, setTenders] = useState<Tender[]>(props.credit ? [{ kind: "cash", amount: props.credit.amount, reference: null }] : []);
  const [kind, setKind] = useState<TenderKind>("cash");
  const [amount, setAmount] = useState("");
  const [reference, setReference] = useState("");
  const [local, setLocal] = useState("");
  const [customer, setCustomer] = useState<CustomerState>({ buyer: null, problem: null });
  const amountRef = useRef<HTMLInputElement>(null);
  const paid = tenders.reduce((s, x) => s + x.amount, 0);
  const due = Math.max(0, payable - paid);
  // What the screen shows counts the amount being typed, so the change is seen before adding it.
  const typed = paid + (amount ? parseRupees(amount) ?? 0 : 0);
  const change = Math.max(0, typed - payable);
  useEffect(() => { amountRef.current?.focus(); }, [kind]);
  const add = (): Tender[] | null => {
    const paise = parseRupees(amount || String(due / 100));
    if (paise === null || paise <= 0) { setLocal(t("tender.amount")); return null; }
    if (kind !== "cash" && !reference.trim()) { setLocal(t("tender.need_reference")); return null; }
    const next = [...tenders, { kind, amount: paise, reference: kind === "cash" ? null : reference.trim() }];
    setTenders(next); setAmount(""); setReference(""); setLocal("");
    return next;
  };
  const complete = () => {
    if (customer.problem) { setLocal(customer.problem); return; }
    let all = tenders;
    // Nothing typed: what is still due goes on the chosen kind (UPI and card once their reference is in).
    if (amount || (due > 0 && (kind === "cash" || reference.trim()))) { const n = add(); if (!n) return; all = n; }
    props.onComplete(all, customer.buyer);
  };
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "F1") setKind("cash");
      else if (e.key === "F2") setKind("upi");
      else if (e.key === "F3") setKind("card");
      else if (e.key === "F5") setAmount((due / 100).toFixed(2));
      else if (e.key === "F12") complete();
      else if (e.key === "Escape") props.onBack();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });
  const quick = [due, Math.ceil(due / 10000) * 10000, Math.ceil(due / 50000) * 50000, Math.ceil(due / 200000) * 200000]
    .filter((v, i, a) => v > 0 && a.indexOf(v) === i);
  return (
    <main class="tender">
      <section class="left">
        <h1>{t("tender.title")} — <span data-testid="tender-payable">{cart.display.payable}</span></h1>
        <div class="kinds">
          {(["cash", "upi", "card"] as TenderKind[]).map((k, i) => (
            <button key={k} data-testid={`kind-${k}`} class={k === kind ? "chosen" : ""} onClick={() => setKind(k)}>{t(`tender.${k}`)} (F{i + 1})</button>
          ))}
        </div>
        <label>{t("tender.amount")}
          <input ref={amountRef} data-testid="amount" inputMode="decimal" value={amount} placeholder={(due / 100).toFixed(2)}
            onInput={(e) => setAmount((e.target as HTMLInputElement).value)}
            onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); if (kind === "cash" || reference) complete(); } }} />
        </label>
        {kind === "cash" && (
          <div class="quick">{quick.map((v) => <button key={v} onClick={() => setAmount((v / 100).toFixed(2))}>{formatRupees(v)}</button>)}</div>
        )}
        {kind !== "cash" && (
          <label>{t("tender.reference")}
            <input data-testid="reference" value={reference} maxLength={64} onInput={(e) => setReference((e.target as HTMLInputElement).value)} />
          </label>
        )}
        {kind === "upi" && <UpiQr t={t} cartId={cart.cart_id} amount={amount ? parseRupees(amount) ?? 0 : due} />}
        <button class="wide" data-testid="add-tender" onClick={() => add()}>{t("tender.add")}</button>
        <CustomerPanel t={t} onChange={setCustomer} />
        {(local || props.error) && <p class="error" role="alert">{local || props.error}</p>}
      </section>
      <aside class="right">
        <ul class="paid" data-testid="tenders">
          {tenders.map((x, i) => (
            <li key={i} data-testid={i === 0 && props.credit ? "exchange-credit" : undefined}><span>{i === 0 && props.credit ? t("exchange.credit", { note: props.credit.note_no }) : t(`tender.${x.kind}`)}{x.reference ? ` · ${x.reference}` : ""}</span><span class="num">{formatRupees(x.amount)}</span>
              <button class="link" onClick={() => setTenders(tenders.filter((_, j) => j !== i))}>{t("tender.remove")}</button></li>
          ))}
        </ul>
        <dl class="totals">
          <dt>{t("tender.paid")}</dt><dd>{formatRupees(typed)}</dd>
          <dt>{t("tender.due")}</dt><dd data-testid="due">{formatRupees(Math.max(0, payable - typed))}</dd>
          <dt class="big">{t("tender.change")}</dt><dd class="big" data-testid="change-preview">{formatRupees(change)}</dd>
        </dl>
        <button class="primary wide" data-testid="complete" disabled={props.busy} onClick={complete}>{t("tender.complete")} (F12)</button>
        <button class="wide" onClick={props.onBack}>{t("tender.back")} (Esc)</button>
      </aside>
    </main>
  );
}

export function Done(props: { t: T; sale: SaleOut; onNext: () => void }) {
  const { t, sale } = props;
  const [printed, setPrinted] = useState("");
  const [failed, setFailed] = useState("");
  // A copy of the receipt, marked DUPLICATE by the box (queued: the header shows the printer).
  const reprint = () => api.reprintSale(sale.sale.sale_id).then(
    () => { setPrinted(t("print.queued", { doc: sale.sale.invoice_no })); setFailed(""); },
    (err) => { setFailed(message(t, err)); setPrinted(""); },
  );
  const reprintRef = useRef(reprint);
  reprintRef.current = reprint;
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Enter" || e.key === "Escape") { e.preventDefault(); props.onNext(); }
      else if (e.key === "F9") { e.preventDefault(); reprintRef.current(); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return (
    <main class="done">
      <h1 data-testid="done">{t("done.change", { change: sale.display.change })}</h1>
      <p>{t("done.invoice", { invoice: sale.sale.invoice_no })} · {sale.display.payable}</p>
      <button class="primary" data-testid="next" onClick={props.onNext}>{t("done.next")} (Enter)</button>
      <button data-testid="reprint" onClick={reprint}>{t("print.reprint")} (F9)</button>
      {printed && <p data-testid="reprinted">{printed}</p>}
      {failed && <p class="error" role="alert">{failed}</p>}
    </main>
  );
}
