import { render } from "preact";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError, Approval, BoxStatus, Buyer, Cart, HeldBill, PrinterStatus, qtyText, SaleOut, SessionOut, Staff, Tender, token } from "./api";
import { Lang, savedLang, translate } from "./i18n";
import { uuid7 } from "./ids";
import { formatRupees } from "./money";
import { outbox, PendingSale } from "./outbox";
import { attachWedge } from "./wedge";
import { ApprovalDialog, BillDiscountDialog, DiscountDialog, RecallDialog } from "./dialogs";
import { CameraScan } from "./camera";
import { ExchangeCredit, ReturnsScreen } from "./returns";
import { ShiftScreen } from "./shift";
import { ReorderDialog, ReorderProduct, sentNotice } from "./reorder";
import { StockDialog } from "./stock";
import { SerialDialog, SerialProduct, serialAsked } from "./serial";
import { Sell } from "./sell";
import { SignIn } from "./signin";
import { Done, TenderScreen } from "./tender";
import { Ask, Header, message, Screen, T } from "./ui";
import "./app.css";

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
  const [printer, setPrinter] = useState<PrinterStatus | null>(null);
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
  // Bill discount and recall dialogs (hold and recall: Shift+F7, bill discount: Shift+F8).
  const [billDiscounting, setBillDiscounting] = useState(false);
  const [recalling, setRecalling] = useState<HeldBill[] | null>(null);
  const [camera, setCamera] = useState(false);
  // Stock at the counter (Shift+F4 or the Stock button).
  const [stockOpen, setStockOpen] = useState(false);
  // Urgent reorder of a line's product (Shift+F3 or the line's ↻ button).
  const [reordering, setReordering] = useState<ReorderProduct | null>(null);
  // A serial-tracked item scanned or picked: the dialog asks for the unit's serial number.
  const [serialFor, setSerialFor] = useState<SerialProduct | null>(null);
  const serialSinkRef = useRef<((code: string) => void) | null>(null);
  const extrasOpenRef = useRef(false);
  extrasOpenRef.current = billDiscounting || recalling !== null || camera || stockOpen || reordering !== null || serialFor !== null;
  const saleId = useRef<string | null>(null);
  const cartRef = useRef<Cart | null>(null);
  cartRef.current = cart;
  const sessionRef = useRef<SessionOut | null>(null);
  sessionRef.current = session;
  const staffRef = useRef<Staff[]>([]);
  staffRef.current = staff;
  const screenRef = useRef<Screen>(screen);
  screenRef.current = screen;

  // The receipt printer's state, for the header (signed in: the devices list needs the box token).
  const refreshPrinter = () => {
    if (!token.get()) return;
    api.devices().then((list) => setPrinter(list.find((d) => d.kind === "printer")?.detail.status ?? null), () => undefined);
  };

  // Box status (hub-sync state) and the printer's every 5 s.
  useEffect(() => {
    const poll = () => api.box().then((b) => {
      setBox(b); setBoxDown(false);
      // Back after the box was unreachable at start: the roster, and the session kept in this tab.
      if (!staffRef.current.length) api.staff().then(setStaff, () => undefined);
      if (token.get() && !sessionRef.current) api.me().then((s) => signedInRef.current(s), () => undefined);
      refreshPrinter();
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
    refreshPrinter();
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

  const addCode = useCallback(async (line: { code?: string; product_id?: string; serial_no?: string }) => {
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
    } catch (err) {
      const asked = serialAsked(err);
      if (asked) { setSerialFor(asked); setError(""); }
      else setError(message(t, err));
    }
  }, [t]);

  // The serial dialog's Enter: add the unit's line; the box's refusal stays in the dialog.
  const addSerial = useCallback(async (serial: string): Promise<string | null> => {
    const current = cartRef.current;
    const product = serialFor;
    if (!current || !product) return null;
    try {
      const next = await api.addLine(current.cart_id, { product_id: product.product_id, serial_no: serial });
      setCart(next); setError(""); setSerialFor(null);
      if (next.added_line != null) setSelected(next.added_line);
      setNotice(t("sell.added", { name: product.name }));
      return null;
    } catch (err) { return message(t, err); }
  }, [serialFor, t]);

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

  const applyBillDiscount = useCallback(async (off: { amount: number } | { percent_bp: number }) => {
    setBillDiscounting(false);
    const current = cartRef.current;
    if (!current || !current.lines.length) return;
    await withApproval((a) => api.billDiscount(current.cart_id, off, a));
  }, [withApproval]);

  // Shift+F7 / the Hold button: park a bill with items and start a new one; on an
  // empty bill, list the held bills to recall one.
  const holdOrRecall = useCallback(async () => {
    const current = cartRef.current;
    if (!current) return;
    try {
      if (current.lines.length) {
        await api.hold(current.cart_id);
        await startCart();
        setNotice(t("hold.done"));
      } else setRecalling(await api.held());
    } catch (err) { setError(message(t, err)); }
  }, [startCart, t]);

  const recall = useCallback(async (cartId: string) => {
    setRecalling(null);
    try {
      const back = await api.recall(cartId);
      saleId.current = null;
      setCart(back); setSelected(back.lines[0]?.line_no ?? null); setError("");
      setNotice(t("hold.recalled"));
    } catch (err) { setError(message(t, err)); }
  }, [t]);

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
      const done = await api.checkout(kept.cart_id, kept.sale_id, kept.tenders, kept.buyer);
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

  const checkout = useCallback(async (tenders: Tender[], buyer: Buyer | null = null) => {
    const current = cartRef.current;
    if (!current || busy) return;
    // One sale id per sale: a retry after a lost answer reuses it, and the box records the sale once.
    saleId.current ??= uuid7();
    const kept: PendingSale = { sale_id: saleId.current, cart_id: current.cart_id, tenders, buyer, kept_at: Date.now() };
    setBusy(true);
    try {
      await outbox.keep(kept); // kept before it is sent: a reload mid-request loses nothing
      const done = await deliver(kept);
      setSale(done); setScreen("done"); setError(""); setCredit(null);
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
              setSale(done); setScreen("done"); setCredit(null);
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
    token.set(null); setSession(null); setCart(null); setPrinter(null); setCredit(null); setScreen("signin");
  }, []);

  // A return taken as credit: the next bill starts with it as a cash payment.
  const [credit, setCredit] = useState<ExchangeCredit | null>(null);
  const takeCredit = useCallback((c: ExchangeCredit) => {
    setCredit(c); setError(""); setNotice(t("exchange.notice", { note: c.note_no, amount: formatRupees(c.amount) })); setScreen("sell");
  }, [t]);

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
  }, () => screenRef.current === "sell" && !askRef.current && discountingRef.current === null && !extrasOpenRef.current), []);
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
        if (event?.type === "scan" && typeof event.code === "string") {
          // While the serial dialog is open, the next scan is the unit's serial number.
          if (serialSinkRef.current) serialSinkRef.current(event.code);
          else onScanRef.current({ code: event.code });
        }
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
      <Header t={t} lang={lang} setLang={setLang} box={box} boxDown={boxDown} scanner={scanner} who={session?.member.display_name} undelivered={pending.length} printer={printer} />
      {credit && (screen === "sell" || screen === "tender") && (
        <p class="credit-banner" data-testid="credit-banner">{t("exchange.notice", { note: credit.note_no, amount: formatRupees(credit.amount) })}</p>
      )}
      {screen === "signin" && <SignIn t={t} staff={staff} boxDown={boxDown} onSignedIn={signedIn} />}
      {screen === "sell" && (
        <Sell t={t} cart={cart} selected={selected} setSelected={setSelected} notice={notice} error={error}
          onCode={(code) => addCode({ code })} onProduct={(p) => addCode({ product_id: p.product_id })}
          onQty={changeQty} onDiscount={setDiscounting} onVoid={voidLine} modal={ask !== null || discounting !== null || billDiscounting || recalling !== null || camera || stockOpen || reordering !== null || serialFor !== null}
          onCamera={() => setCamera(true)} onStock={() => setStockOpen(true)}
          onHold={holdOrRecall} onBillDiscount={() => { if (cartRef.current?.lines.length) setBillDiscounting(true); }}
          onReturns={() => { setError(""); setScreen("returns"); }}
          onShift={() => { setError(""); setScreen("shift"); }}
          onReorder={(lineNo) => { const l = cartRef.current?.lines.find((x) => x.line_no === lineNo); if (l) setReordering(l); }}
          onPay={() => { if (cartRef.current?.lines.length) { setError(""); setScreen("tender"); } }} onSignOut={signOut} />
      )}
      {screen === "tender" && cart && (
        <TenderScreen t={t} cart={cart} busy={busy} error={error} credit={credit} onBack={() => { setError(""); setScreen("sell"); }} onComplete={checkout} />
      )}
      {screen === "shift" && <ShiftScreen t={t} approve={needApproval} onBack={() => setScreen("sell")} />}
      {screen === "returns" && <ReturnsScreen t={t} approve={needApproval} onBack={() => setScreen("sell")} onExchange={takeCredit} />}
      {screen === "done" && sale && <Done t={t} sale={sale} onNext={next} />}
      {screen === "held" && (
        <main class="done held" data-testid="held"><h1>{t("held.title")}</h1><p>{t("held.body")}</p></main>
      )}
      {screen === "sell" && discounting !== null && cart?.lines.find((l) => l.line_no === discounting) && (
        <DiscountDialog t={t} line={cart.lines.find((l) => l.line_no === discounting)!}
          onApply={(paise) => applyDiscount(discounting, paise)} onCancel={() => setDiscounting(null)} />
      )}
      {screen === "sell" && billDiscounting && cart && (
        <BillDiscountDialog t={t} lines={cart.lines} onApply={applyBillDiscount} onCancel={() => setBillDiscounting(false)} />
      )}
      {screen === "sell" && camera && (
        <CameraScan t={t} onCode={(code) => addCode({ code })} onClose={() => setCamera(false)} />
      )}
      {screen === "sell" && stockOpen && <StockDialog t={t} onClose={() => setStockOpen(false)} />}
      {screen === "sell" && recalling && (
        <RecallDialog t={t} held={recalling} onRecall={recall} onCancel={() => setRecalling(null)} />
      )}
      {screen === "sell" && reordering && (
        <ReorderDialog t={t} product={reordering} onCancel={() => setReordering(null)}
          onSent={(r) => { setReordering(null); setError(""); setNotice(sentNotice(t, r)); }} />
      )}
      {screen === "sell" && serialFor && (
        <SerialDialog t={t} product={serialFor} onSerial={addSerial} onCancel={() => setSerialFor(null)}
          takeScans={(sink) => { serialSinkRef.current = sink; }} />
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
