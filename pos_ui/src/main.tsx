import { render } from "preact";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError, Approval, BoxStatus, Cart, Line, Product, qtyText, ReturnLineIn, ReturnOut, ReturnQuote, SaleForReturn, SaleOut, SessionOut, Staff, Tender, TenderKind, token } from "./api";
import { Lang, savedLang, translate } from "./i18n";
import { uuid7 } from "./ids";
import { formatRupees, parsePercentBp, parseRupees, percentOf } from "./money";
import { outbox, PendingSale } from "./outbox";
import { attachWedge } from "./wedge";
import "./app.css";

type T = (key: string, vars?: Record<string, string | number>) => string;
type Screen = "signin" | "sell" | "tender" | "done" | "held" | "returns";
interface Ask { reason: string; resolve: (a: Approval | null) => void }

const MANAGER_ROLES = new Set(["store_manager", "manager", "owner", "admin"]);

function message(t: T, err: unknown): string {
  if (err instanceof ApiError) return err.status === 0 ? t("error.offline") : err.message;
  return t("error.generic", { message: String(err) });
}

// ---------------------------------------------------------------- header
function Header(props: { t: T; lang: Lang; setLang: (l: Lang) => void; box: BoxStatus | null; boxDown: boolean; scanner: boolean; who?: string; undelivered: number }) {
  const { t, box } = props;
  const sync = props.boxDown ? t("sync.offline") : box && box.outbox_depth > 0 ? t("sync.waiting", { n: box.outbox_depth }) : t("sync.ok");
  const state = props.boxDown ? "down" : box && box.outbox_depth > 0 ? "waiting" : "ok";
  return (
    <header class="bar">
      <strong>{box ? `${box.store_name} · ${box.device_name}` : t("app.title")}</strong>
      {props.who && <span>{t("sell.cashier", { name: props.who })}</span>}
      <span class={`sync sync-${state}`} data-testid="sync" data-depth={box?.outbox_depth ?? ""}>{sync}</span>
      {props.undelivered > 0 && <span class="sync sync-down" data-testid="undelivered">{t("outbox.count", { n: props.undelivered })}</span>}
      <span class="scanner">{props.scanner ? t("scanner.live") : t("scanner.keyboard")}</span>
      <button class="lang" onClick={() => props.setLang(props.lang === "en" ? "hi" : "en")} title="F10">{t("lang.toggle")}</button>
    </header>
  );
}

// ---------------------------------------------------------------- PIN keypad
function Keypad(props: { t: T; value: string; onChange: (v: string) => void; onEnter: () => void; enterLabel: string }) {
  const press = (k: string) => props.onChange((props.value + k).slice(0, 12));
  return (
    <div class="keypad">
      <div class="pin-dots" data-testid="pin-dots">{"•".repeat(props.value.length) || "\u00a0"}</div>
      <div class="keys">
        {["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((k) => <button key={k} class="key" onClick={() => press(k)}>{k}</button>)}
        <button class="key" onClick={() => props.onChange("")}>{props.t("keypad.clear")}</button>
        <button class="key" onClick={() => press("0")}>0</button>
        <button class="key" onClick={() => props.onChange(props.value.slice(0, -1))}>⌫</button>
      </div>
      <button class="primary wide" data-testid="pin-enter" onClick={props.onEnter}>{props.enterLabel}</button>
    </div>
  );
}

function usePinKeys(active: boolean, setPin: (f: (v: string) => string) => void, enter: () => void, back: () => void) {
  // Functional updates: a fast typist's digits arrive before the next render.
  const actions = useRef({ enter, back });
  actions.current = { enter, back };
  useLayoutEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (/^[0-9]$/.test(e.key)) setPin((p) => (p + e.key).slice(0, 12));
      else if (e.key === "Backspace") setPin((p) => p.slice(0, -1));
      else if (e.key === "Enter") setTimeout(() => actions.current.enter(), 0);
      else if (e.key === "Escape") actions.current.back();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [active, setPin]);
}

// ---------------------------------------------------------------- sign-in
function SignIn(props: { t: T; staff: Staff[]; onSignedIn: (s: SessionOut) => void }) {
  const { t } = props;
  const [who, setWho] = useState<Staff | null>(null);
  const [pin, setPin] = useState("");
  const [error, setError] = useState("");
  const submit = useCallback(async () => {
    if (!who || !pin) return;
    try {
      const session = await api.signIn(who.user_id, pin);
      token.set(session.token ?? null);
      props.onSignedIn(session);
    } catch (err) {
      setPin("");
      setError(message(t, err));
    }
  }, [who, pin]);
  const back = useCallback(() => { setWho(null); setPin(""); setError(""); }, []);
  usePinKeys(who !== null, setPin, submit, back);
  if (!who) {
    return (
      <main class="signin">
        <h1>{t("signin.pick")}</h1>
        {props.staff.length === 0 && <p class="error">{t("signin.none")}</p>}
        <div class="staff">
          {props.staff.map((s) => (
            <button key={s.user_id} class="staff-card" data-testid="staff" onClick={() => setWho(s)}>
              {s.display_name}
            </button>
          ))}
        </div>
      </main>
    );
  }
  return (
    <main class="signin">
      <h1>{t("signin.pin", { name: who.display_name })}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      <Keypad t={t} value={pin} onChange={setPin} onEnter={submit} enterLabel={t("signin.enter")} />
      <button class="link" onClick={back}>{t("signin.back")} (Esc)</button>
    </main>
  );
}

// ---------------------------------------------------------------- approval
function ApprovalDialog(props: { t: T; ask: Ask; staff: Staff[]; onDone: () => void }) {
  const { t } = props;
  const managers = props.staff.filter((s) => MANAGER_ROLES.has(s.role));
  const [who, setWho] = useState<string>(managers[0]?.user_id ?? "");
  const [pin, setPin] = useState("");
  const finish = useCallback((a: Approval | null) => { props.ask.resolve(a); props.onDone(); }, [props.ask]);
  const ok = useCallback(() => { if (who && pin) finish({ user_id: who, pin }); }, [who, pin]);
  const cancel = useCallback(() => finish(null), [finish]);
  usePinKeys(true, setPin, ok, cancel);
  return (
    <div class="modal" role="dialog" aria-modal="true">
      <div class="modal-body">
        <h2>{t("approval.title")}</h2>
        <p>{t("approval.why", { reason: props.ask.reason })}</p>
        <div class="staff">
          {managers.map((m) => (
            <button key={m.user_id} class={`staff-card ${m.user_id === who ? "chosen" : ""}`} onClick={() => setWho(m.user_id)}>{m.display_name}</button>
          ))}
        </div>
        <Keypad t={t} value={pin} onChange={setPin} onEnter={ok} enterLabel={t("approval.ok")} />
        <button class="link" onClick={cancel}>{t("approval.cancel")} (Esc)</button>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- line discount
/** The line's price before its discount, in paise (qty is in thousandths). */
const grossOf = (l: Line) => Math.round((l.unit_price * l.qty) / 1000);

function DiscountDialog(props: { t: T; line: Line; onApply: (paise: number) => void; onCancel: () => void }) {
  const { t, line } = props;
  const gross = grossOf(line);
  const [mode, setMode] = useState<"rupees" | "percent">("rupees");
  const [text, setText] = useState(line.discount ? (line.discount / 100).toFixed(2) : "");
  const [local, setLocal] = useState("");
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => { inputRef.current?.focus(); inputRef.current?.select(); }, [mode]);
  const paise = (): number | null => {
    if (mode === "percent") { const bp = parsePercentBp(text.trim()); return bp === null ? null : percentOf(gross, bp); }
    return parseRupees(text.trim() || "0");
  };
  const apply = () => {
    const p = paise();
    if (p === null) { setLocal(t(mode === "percent" ? "discount.bad_percent" : "discount.bad_amount")); return; }
    if (p > gross) { setLocal(t("discount.too_much", { gross: formatRupees(gross) })); return; }
    props.onApply(p);
  };
  const preview = paise();
  return (
    <div class="modal" role="dialog" aria-modal="true" data-testid="discount-dialog">
      <div class="modal-body">
        <h2>{t("discount.title", { name: line.name })}</h2>
        <p>{t("discount.gross", { gross: formatRupees(gross) })}</p>
        <div class="kinds">
          <button data-testid="discount-rupees" class={mode === "rupees" ? "chosen" : ""} onClick={() => setMode("rupees")}>₹</button>
          <button data-testid="discount-percent" class={mode === "percent" ? "chosen" : ""} onClick={() => setMode("percent")}>%</button>
        </div>
        <input ref={inputRef} data-testid="discount-input" inputMode="decimal" value={text}
          placeholder={mode === "percent" ? "10%" : "0.00"}
          onInput={(e) => { setText((e.target as HTMLInputElement).value); setLocal(""); }}
          onKeyDown={(e) => {
            if (e.key === "Enter") { e.preventDefault(); e.stopPropagation(); apply(); }
            else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); props.onCancel(); }
            else if (e.key === "%") { e.preventDefault(); setMode("percent"); }
          }} />
        <p data-testid="discount-preview">{preview !== null && preview <= gross ? t("discount.preview", { amount: formatRupees(preview) }) : "\u00a0"}</p>
        {local && <p class="error" role="alert">{local}</p>}
        <button class="primary wide" data-testid="discount-apply" onClick={apply}>{t("discount.apply")} (Enter)</button>
        <button class="link" onClick={props.onCancel}>{t("approval.cancel")} (Esc)</button>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- returns
function ReturnsScreen(props: { t: T; approve: (reason: string) => Promise<Approval | null>; onBack: () => void }) {
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
  const returnId = useRef<string | null>(null);
  const invoiceRef = useRef<HTMLInputElement>(null);
  useEffect(() => { invoiceRef.current?.focus(); }, []);
  useLayoutEffect(() => {
    // Esc leaves, unless it is cancelling the manager's dialog over this screen.
    const onKey = (e: KeyboardEvent) => { if (e.key === "Escape" && !document.querySelector(".modal")) { e.preventDefault(); props.onBack(); } };
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

// ---------------------------------------------------------------- sell
function Sell(props: {
  t: T; cart: Cart | null; selected: number | null; setSelected: (n: number) => void; notice: string; error: string;
  onCode: (code: string) => void; onProduct: (p: Product) => void; onQty: (lineNo: number, delta: number) => void;
  onDiscount: (lineNo: number) => void; onVoid: (lineNo: number) => void; modal: boolean; onReturns: () => void;
  onPay: () => void; onSignOut: () => void;
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
      if (e.key === "F2") searchRef.current?.focus();
      else if (e.key === "F4") props.onPay();
      else if (e.key === "F3") props.onReturns();
      else if (e.key === "F9") props.onSignOut();
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
  }, [cart, props.selected, props.modal, props.onPay, props.onQty, props.onDiscount, props.onVoid, props.onReturns, props.onSignOut]);
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
                <td>{l.name}<small>{l.sku} · {l.display.unit_price}</small></td>
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
        <button class="wide" data-testid="returns" onClick={props.onReturns}>{t("returns.title")} (F3)</button>
        <button class="wide" onClick={props.onSignOut}>{t("sell.signout")} (F9)</button>
      </aside>
    </main>
  );
}

// ---------------------------------------------------------------- tender
function TenderScreen(props: { t: T; cart: Cart; busy: boolean; error: string; onBack: () => void; onComplete: (tenders: Tender[]) => void }) {
  const { t, cart } = props;
  const payable = cart.totals.payable;
  const [tenders, setTenders] = useState<Tender[]>([]);
  const [kind, setKind] = useState<TenderKind>("cash");
  const [amount, setAmount] = useState("");
  const [reference, setReference] = useState("");
  const [local, setLocal] = useState("");
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
    let all = tenders;
    if (amount || (due > 0 && kind === "cash")) { const n = add(); if (!n) return; all = n; }
    props.onComplete(all);
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
        <button class="wide" data-testid="add-tender" onClick={() => add()}>{t("tender.add")}</button>
        {(local || props.error) && <p class="error" role="alert">{local || props.error}</p>}
      </section>
      <aside class="right">
        <ul class="paid" data-testid="tenders">
          {tenders.map((x, i) => (
            <li key={i}><span>{t(`tender.${x.kind}`)}{x.reference ? ` · ${x.reference}` : ""}</span><span class="num">{formatRupees(x.amount)}</span>
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

// ---------------------------------------------------------------- done
function Done(props: { t: T; sale: SaleOut; onNext: () => void }) {
  const { t, sale } = props;
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === "Enter" || e.key === "Escape") { e.preventDefault(); props.onNext(); } };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return (
    <main class="done">
      <h1 data-testid="done">{t("done.change", { change: sale.display.change })}</h1>
      <p>{t("done.invoice", { invoice: sale.sale.invoice_no })} · {sale.display.payable}</p>
      <button class="primary" data-testid="next" onClick={props.onNext}>{t("done.next")} (Enter)</button>
    </main>
  );
}

// ---------------------------------------------------------------- app
function App() {
  const [lang, setLangState] = useState<Lang>(savedLang());
  const t: T = useMemo(() => (key, vars) => translate(lang, key, vars), [lang]);
  const setLang = (l: Lang) => { localStorage.setItem("pos.lang", l); document.documentElement.lang = l; setLangState(l); };
  const [screen, setScreen] = useState<Screen>("signin");
  const [staff, setStaff] = useState<Staff[]>([]);
  const [session, setSession] = useState<SessionOut | null>(null);
  const [box, setBox] = useState<BoxStatus | null>(null);
  const [boxDown, setBoxDown] = useState(false);
  const [scanner, setScanner] = useState(false);
  const [cart, setCart] = useState<Cart | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [notice, setNotice] = useState("");
  const [error, setError] = useState("");
  const [sale, setSale] = useState<SaleOut | null>(null);
  const [busy, setBusy] = useState(false);
  const [ask, setAsk] = useState<Ask | null>(null);
  const askRef = useRef<Ask | null>(null);
  askRef.current = ask;
  const [discounting, setDiscounting] = useState<number | null>(null);
  const discountingRef = useRef<number | null>(null);
  discountingRef.current = discounting;
  const saleId = useRef<string | null>(null);
  const cartRef = useRef<Cart | null>(null);
  cartRef.current = cart;
  const sessionRef = useRef<SessionOut | null>(null);
  sessionRef.current = session;
  const staffRef = useRef<Staff[]>([]);
  staffRef.current = staff;
  const screenRef = useRef<Screen>(screen);
  screenRef.current = screen;

  // Box status (hub-sync state) every 5 s.
  useEffect(() => {
    const poll = () => api.box().then((b) => {
      setBox(b); setBoxDown(false);
      // Back after the box was unreachable at start: the roster, and the session kept in this tab.
      if (!staffRef.current.length) api.staff().then(setStaff, () => undefined);
      if (token.get() && !sessionRef.current) api.me().then((s) => signedInRef.current(s), () => undefined);
    }, () => setBoxDown(true));
    poll();
    const timer = setInterval(poll, 5000);
    return () => clearInterval(timer);
  }, []);

  const startCart = useCallback(async () => {
    const fresh = await api.newCart(uuid7());
    saleId.current = null;
    setCart(fresh); setSelected(null); setNotice(""); setError("");
  }, []);

  const signedIn = useCallback(async (s: SessionOut) => {
    setSession(s);
    setScreen("sell");
    try { await startCart(); } catch (err) { setError(message(t, err)); }
  }, [startCart, t]);
  const signedInRef = useRef(signedIn);
  signedInRef.current = signedIn;

  // Start-up: the roster, and a session kept across a reload.
  useEffect(() => {
    api.staff().then(setStaff, () => setBoxDown(true));
    // Only a refused token is dropped: with the box unreachable the session may still be good.
    if (token.get()) api.me().then(signedIn, (err) => { if (err instanceof ApiError && err.status === 401) token.set(null); });
  }, []);

  const needApproval = (reason: string) => new Promise<Approval | null>((resolve) => setAsk({ reason, resolve }));

  const addCode = useCallback(async (line: { code?: string; product_id?: string }) => {
    if (screenRef.current !== "sell") return;
    const current = cartRef.current;
    if (!current) return;
    try {
      const next = await api.addLine(current.cart_id, line);
      setCart(next); setError("");
      if (next.added_line != null) {
        setSelected(next.added_line);
        const added = next.lines.find((l) => l.line_no === next.added_line);
        if (added) setNotice(t("sell.added", { name: added.name }));
      }
    } catch (err) { setError(message(t, err)); }
  }, [t]);

  const changeQty = useCallback(async (lineNo: number, delta: number) => {
    const current = cartRef.current;
    const line = current?.lines.find((l) => l.line_no === lineNo);
    if (!current || !line) return;
    const qty = qtyText(line.qty + delta * 1000);
    if (line.qty + delta * 1000 <= 0) return;
    try {
      setCart(await api.setQty(current.cart_id, lineNo, qty));
    } catch (err) {
      if (err instanceof ApiError && err.code === "APPROVAL_REQUIRED") {
        const approval = await needApproval(err.message);
        if (!approval) return;
        try { setCart(await api.setQty(current.cart_id, lineNo, qty, approval)); setError(""); }
        catch (again) { setError(message(t, again)); }
      } else setError(message(t, err));
    }
  }, [t]);

  // Send a cart change; when the box answers that a manager must approve it, ask
  // for the manager's PIN and send it again with the approval. The box's refusal
  // (wrong PIN, over the limit, ...) is shown as it words it.
  const withApproval = useCallback(async (send: (a?: Approval) => Promise<Cart>) => {
    try {
      setCart(await send()); setError("");
    } catch (err) {
      if (!(err instanceof ApiError && err.code === "APPROVAL_REQUIRED")) { setError(message(t, err)); return; }
      const approval = await needApproval(err.message);
      if (!approval) return;
      try { setCart(await send(approval)); setError(""); }
      catch (again) { setError(message(t, again)); }
    }
  }, [t]);

  const applyDiscount = useCallback(async (lineNo: number, paise: number) => {
    setDiscounting(null);
    const current = cartRef.current;
    if (!current || !current.lines.some((l) => l.line_no === lineNo)) return;
    await withApproval((a) => api.setDiscount(current.cart_id, lineNo, paise, a));
  }, [withApproval]);

  const voidLine = useCallback(async (lineNo: number) => {
    const current = cartRef.current;
    if (!current || !current.lines.some((l) => l.line_no === lineNo)) return;
    await withApproval((a) => api.voidLine(current.cart_id, lineNo, a));
  }, [withApproval]);

  const [pending, setPending] = useState<PendingSale[]>([]);
  const refreshPending = useCallback(() => outbox.all().then(setPending, () => undefined), []);

  // Send one kept sale. True when the box has it (now or from an earlier try).
  const deliver = useCallback(async (kept: PendingSale): Promise<SaleOut | null> => {
    try {
      const done = await api.checkout(kept.cart_id, kept.sale_id, kept.tenders);
      await outbox.drop(kept.sale_id);
      return done;
    } catch (err) {
      // No answer, a box error or an ended session: keep it and try again. A refusal
      // (bad tender, unknown cart) will not change by trying again: drop it and say so.
      const retry = !(err instanceof ApiError) || err.status === 0 || err.status >= 500 || err.status === 401;
      if (!retry) await outbox.drop(kept.sale_id);
      throw err;
    }
  }, []);

  const checkout = useCallback(async (tenders: Tender[]) => {
    const current = cartRef.current;
    if (!current || busy) return;
    // One sale id per sale: a retry after a lost answer reuses it, and the box records the sale once.
    saleId.current ??= uuid7();
    const kept: PendingSale = { sale_id: saleId.current, cart_id: current.cart_id, tenders, kept_at: Date.now() };
    setBusy(true);
    try {
      await outbox.keep(kept); // kept before it is sent: a reload mid-request loses nothing
      const done = await deliver(kept);
      setSale(done); setScreen("done"); setError("");
      api.box().then(setBox, () => setBoxDown(true));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 0 || err.status >= 500)) setScreen("held");
      else setError(message(t, err));
    } finally {
      setBusy(false);
      refreshPending();
    }
  }, [busy, t, deliver]);

  // Kept sales go to the box as soon as it answers, oldest first.
  useEffect(() => {
    let running = false;
    const flush = async () => {
      if (running) return;
      if (!token.get()) { refreshPending(); return; }
      running = true;
      try {
        const kept = (await outbox.all()).sort((a, b) => a.kept_at - b.kept_at);
        for (const one of kept) {
          try {
            const done = await deliver(one);
            if (done && one.sale_id === saleId.current && screenRef.current === "held") {
              setSale(done); setScreen("done");
            } else if (done) setNotice(t("outbox.delivered", { invoice: done.sale.invoice_no }));
          } catch { break; }
        }
      } finally {
        running = false;
        refreshPending();
      }
    };
    flush();
    const timer = setInterval(flush, 3000);
    return () => clearInterval(timer);
  }, [deliver, t]);

  // Warn before closing with sales the box has not confirmed.
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (pending.length === 0) return;
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [pending]);

  const signOut = useCallback(async () => {
    try { await api.signOut(); } catch { /* the token is dropped either way */ }
    token.set(null); setSession(null); setCart(null); setScreen("signin");
  }, []);

  const next = useCallback(async () => {
    setSale(null); setScreen("sell");
    try { await startCart(); } catch (err) { setError(message(t, err)); }
  }, [startCart, t]);

  // Scans: the keyboard wedge anywhere on the screen, and the box's devices when it has them.
  const t2 = useRef(t);
  t2.current = t;
  const onScanRef = useRef(addCode);
  onScanRef.current = addCode;
  useLayoutEffect(() => attachWedge(window, {
    onScan: (code) => onScanRef.current({ code }),
    onManual: (code) => onScanRef.current({ code }),
  }, () => screenRef.current === "sell" && !askRef.current && discountingRef.current === null), []);
  // The box's own scanners (GET /api/v1/devices/events, Server-Sent Events) once
  // signed in: EventSource sends no headers, so the box token goes as ?access_token=.
  const signedInId = session?.session_id;
  useEffect(() => {
    const t = token.get();
    if (!signedInId || !t) { setScanner(false); return; }
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const onEvent = (e: MessageEvent) => {
      try {
        const event = JSON.parse(e.data);
        if (event?.type === "scan" && typeof event.code === "string") onScanRef.current({ code: event.code });
        else if (event?.type === "unreadable") setError(t2.current("scan.unreadable", { device: String(event.device ?? "") }));
      } catch { /* not an event of ours */ }
    };
    const open = () => {
      source = new EventSource(`/api/v1/devices/events?access_token=${encodeURIComponent(t)}`);
      source.onopen = () => setScanner(true);
      source.onmessage = onEvent;
      source.addEventListener("scan", onEvent as EventListener);
      source.addEventListener("unreadable", onEvent as EventListener);
      source.onerror = () => {
        if (source?.readyState === EventSource.CLOSED) {
          // No devices route (404), or refused: keyboard only, look again in a minute.
          setScanner(false);
          source.close();
          retry = setTimeout(open, 60000);
        }
      };
    };
    open();
    return () => { source?.close(); clearTimeout(retry); };
  }, [signedInId]);

  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === "F10") { e.preventDefault(); setLang(lang === "en" ? "hi" : "en"); } };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [lang]);

  return (
    <div class="app" data-screen={screen}>
      <Header t={t} lang={lang} setLang={setLang} box={box} boxDown={boxDown} scanner={scanner} who={session?.member.display_name} undelivered={pending.length} />
      {screen === "signin" && <SignIn t={t} staff={staff} onSignedIn={signedIn} />}
      {screen === "sell" && (
        <Sell t={t} cart={cart} selected={selected} setSelected={setSelected} notice={notice} error={error}
          onCode={(code) => addCode({ code })} onProduct={(p) => addCode({ product_id: p.product_id })}
          onQty={changeQty} onDiscount={setDiscounting} onVoid={voidLine} modal={ask !== null || discounting !== null}
          onReturns={() => { setError(""); setScreen("returns"); }}
          onPay={() => { if (cartRef.current?.lines.length) { setError(""); setScreen("tender"); } }} onSignOut={signOut} />
      )}
      {screen === "tender" && cart && (
        <TenderScreen t={t} cart={cart} busy={busy} error={error} onBack={() => { setError(""); setScreen("sell"); }} onComplete={checkout} />
      )}
      {screen === "returns" && <ReturnsScreen t={t} approve={needApproval} onBack={() => setScreen("sell")} />}
      {screen === "done" && sale && <Done t={t} sale={sale} onNext={next} />}
      {screen === "held" && (
        <main class="done held" data-testid="held"><h1>{t("held.title")}</h1><p>{t("held.body")}</p></main>
      )}
      {screen === "sell" && discounting !== null && cart?.lines.find((l) => l.line_no === discounting) && (
        <DiscountDialog t={t} line={cart.lines.find((l) => l.line_no === discounting)!}
          onApply={(paise) => applyDiscount(discounting, paise)} onCancel={() => setDiscounting(null)} />
      )}
      {ask && <ApprovalDialog t={t} ask={ask} staff={staff} onDone={() => setAsk(null)} />}
    </div>
  );
}

document.documentElement.lang = savedLang();
// The app shell offline (tablets); browsers allow it on https and on localhost only.
if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register("sw.js", { scope: "./" }).catch(() => undefined);
}
render(<App />, document.getElementById("app")!);
