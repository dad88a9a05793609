// Shift (F6 on an empty bill, Shift+F6, or the button): open with a float counted
// by denomination, the X report so far, close with the cash counted -> expected,
// counted, over/short -> a manager's PIN when not exact -> the Z report.
// A close covers everything since the previous one, opened or not (the box decides).
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, Approval, Count, Denomination, ShiftCurrent, ShiftZ } from "./api";
import { uuid7 } from "./ids";
import { formatRupees } from "./money";
import { message, shopDateTime, shopTime, T } from "./ui";

type Mode = "home" | "open" | "close" | "z";

const totalOf = (count: Count) => Object.entries(count).reduce((s, [d, n]) => s + Number(d) * n, 0);
const clean = (count: Count): Count => Object.fromEntries(Object.entries(count).filter(([, n]) => n > 0));

/** Pieces per note/coin, with − / + for touch and a number field for the keyboard. */
function CountGrid(props: { t: T; denominations: Denomination[]; count: Count; onChange: (c: Count) => void; onEnter: () => void; testid: string }) {
  const { t } = props;
  const [all, setAll] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => { first.current?.focus(); first.current?.select(); }, []);
  const set = (paise: number, pieces: number) => props.onChange({ ...props.count, [paise]: Math.max(0, Math.min(100000, pieces)) });
  const shown = props.denominations.filter((d) => all || d.shown || (props.count[d.paise] ?? 0) > 0);
  return (
    <div class="count" data-testid={props.testid}>
      <table class="lines">
        <thead><tr><th>{t("shift.denomination")}</th><th class="qty">{t("shift.pieces")}</th><th class="num">{t("sell.amount")}</th></tr></thead>
        <tbody>
          {shown.map((d, i) => {
            const pieces = props.count[d.paise] ?? 0;
            return (
              <tr key={d.paise} data-paise={d.paise}>
                <td>{d.display.replace(/\.00$/, "")}<small>{t(`shift.form.${d.form}`)}</small></td>
                <td class="qty">
                  <button class="step" aria-label="−" onClick={() => set(d.paise, pieces - 1)}>−</button>
                  <input ref={i === 0 ? first : undefined} data-testid="pieces" inputMode="numeric" value={pieces ? String(pieces) : ""} placeholder="0"
                    onInput={(e) => { const v = (e.target as HTMLInputElement).value.replace(/\D/g, ""); set(d.paise, v ? Number(v) : 0); }}
                    onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); e.stopPropagation(); props.onEnter(); } }} />
                  <button class="step" aria-label="+" onClick={() => set(d.paise, pieces + 1)}>+</button>
                </td>
                <td class="num">{formatRupees(d.paise * pieces)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {!all && props.denominations.some((d) => !d.shown) && (
        <button class="link" onClick={() => setAll(true)}>{t("shift.show_withdrawn")}</button>
      )}
      <p class="big">{t("shift.total")} <strong data-testid={`${props.testid}-total`}>{formatRupees(totalOf(props.count))}</strong></p>
    </div>
  );
}

function XTable(props: { t: T; x: ShiftCurrent["x"] }) {
  const { t, x } = props;
  const d = x.display;
  return (
    <dl class="totals report" data-testid="x-report">
      <dt>{t("shift.sales")}</dt><dd data-testid="x-sales">{x.report.sales_count}</dd>
      <dt>{t("shift.gross")}</dt><dd>{d.gross}</dd>
      <dt>{t("shift.discounts")}</dt><dd>{d.discounts}</dd>
      <dt>{t("shift.net")}</dt><dd data-testid="x-net">{d.net}</dd>
      <dt>{t("sell.taxable")}</dt><dd>{d.taxable}</dd>
      <dt>{t("sell.tax")}</dt><dd>{d.tax}</dd>
      <dt>{t("shift.taken", { kind: t("tender.cash") })}</dt><dd data-testid="x-cash">{d.tender_cash}</dd>
      <dt>{t("shift.taken", { kind: t("tender.upi") })}</dt><dd>{d.tender_upi}</dd>
      <dt>{t("shift.taken", { kind: t("tender.card") })}</dt><dd>{d.tender_card}</dd>
      <dt>{t("shift.returns", { n: x.report.returns_count })}</dt><dd>{formatRupees(x.report.refunds.cash + x.report.refunds.upi + x.report.refunds.card)}</dd>
      <dt>{t("shift.float")}</dt><dd>{d.float_total}</dd>
      <dt class="big">{t("shift.expected")}</dt><dd class="big" data-testid="x-expected">{d.expected_cash}</dd>
    </dl>
  );
}

function ZSlip(props: { t: T; z: ShiftZ }) {
  const { t } = props;
  const z = props.z.z;
  const d = props.z.display;
  const when = (iso: string | null) => (iso ? shopDateTime(iso) : t("shift.not_opened"));
  const diff = z.over_short === 0 ? t("shift.exact") : z.over_short > 0 ? t("shift.over") : t("shift.short");
  return (
    <section class="slip" data-testid="z-report" data-z={z.z_no} data-over-short={z.over_short}>
      <h2>{t("shift.z_title", { z: z.z_no })}</h2>
      <p>{t("shift.opened_at", { at: when(z.opened_at) })}<br />{t("shift.closed_at", { at: when(z.closed_at) })}</p>
      <dl>
        <dt>{t("shift.sales")}</dt><dd>{z.report.sales_count}</dd>
        <dt>{t("shift.gross")}</dt><dd>{d.gross}</dd>
        <dt>{t("shift.discounts")}</dt><dd>{d.discounts}</dd>
        <dt>{t("shift.net")}</dt><dd>{d.net}</dd>
        <dt>{t("sell.taxable")}</dt><dd>{d.taxable}</dd>
        <dt>{t("sell.tax")}</dt><dd>{d.tax}</dd>
        <dt>{t("shift.taken", { kind: t("tender.cash") })}</dt><dd>{d.tender_cash}</dd>
        <dt>{t("shift.taken", { kind: t("tender.upi") })}</dt><dd>{d.tender_upi}</dd>
        <dt>{t("shift.taken", { kind: t("tender.card") })}</dt><dd>{d.tender_card}</dd>
        <dt>{t("shift.returns", { n: z.report.returns_count })}</dt><dd>{formatRupees(z.report.refunds.cash + z.report.refunds.upi + z.report.refunds.card)}</dd>
        <dt>{t("shift.float")}</dt><dd>{d.float_total}</dd>
        <dt>{t("shift.expected")}</dt><dd data-testid="z-expected">{d.expected_cash}</dd>
        <dt>{t("shift.counted")}</dt><dd data-testid="z-counted">{d.counted_total}</dd>
        <dt class="big">{diff}</dt><dd class="big" data-testid="z-over-short">{d.over_short}</dd>
      </dl>
      <p class="count-lines">{z.counted.map((c) => `${formatRupees(c.denomination).replace(/\.00$/, "")} × ${c.pieces}`).join(" · ")}</p>
    </section>
  );
}

export function ShiftScreen(props: { t: T; approve: (reason: string) => Promise<Approval | null>; onBack: () => void }) {
  const { t } = props;
  const [now, setNow] = useState<ShiftCurrent | null>(null);
  const [mode, setMode] = useState<Mode>("home");
  const [count, setCount] = useState<Count>({});
  const [note, setNote] = useState("");
  const [z, setZ] = useState<ShiftZ | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  // One id per open and per close: a retry after a lost answer is recorded once.
  const openId = useRef<string | null>(null);
  const closeId = useRef<string | null>(null);
  const load = useCallback(async () => {
    try { setNow(await api.shiftCurrent()); setError(""); } catch (err) { setError(message(t, err)); }
  }, [t]);
  useEffect(() => { load(); }, [load]);
  const start = (next: Mode) => {
    setCount({}); setNote(""); setError(""); setMode(next);
    if (next === "open") openId.current = uuid7();
    if (next === "close") { closeId.current = now?.open?.shift_id ?? uuid7(); load(); }
  };
  const open = async () => {
    if (busy || !openId.current) return;
    setBusy(true);
    try {
      await api.openShift(openId.current, clean(count));
      await load(); setMode("home");
    } catch (err) { setError(message(t, err)); }
    finally { setBusy(false); }
  };
  const close = async () => {
    if (busy || !closeId.current) return;
    const body = { shift_id: closeId.current, counted: clean(count), note: note.trim() || null };
    setBusy(true);
    try {
      try { setZ(await api.closeShift(body)); }
      catch (err) {
        if (!(err instanceof ApiError && err.code === "APPROVAL_REQUIRED")) throw err;
        const counted = totalOf(count);
        const expected = now?.x.expected_cash ?? 0;
        const approval = await props.approve(t("shift.approve_why", { diff: formatRupees(counted - expected) }));
        if (!approval) return;
        setZ(await api.closeShift({ ...body, approval }));
      }
      setError(""); setMode("z");
    } catch (err) { setError(message(t, err)); }
    finally { setBusy(false); }
  };
  // The box printed the Z at the close; F5 prints a copy there (DUPLICATE), or the
  // page itself on a box without a receipt printer.
  const [printed, setPrinted] = useState("");
  const printZ = () => {
    if (!z) return;
    api.printZ(z.z.shift_id).then(
      () => setPrinted(t("print.queued", { doc: z.z.z_no })),
      (err) => { if (err instanceof ApiError && err.code === "PRINTER_NOT_CONFIGURED") window.print(); else setPrinted(message(t, err)); },
    );
  };
  const actions = useRef({ open, close, back: props.onBack, start, mode, printZ });
  actions.current = { open, close, back: props.onBack, start, mode, printZ };
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (document.querySelector(".modal")) return; // the manager's dialog has the keys
      const a = actions.current;
      if (e.key === "Escape") { if (a.mode === "open" || a.mode === "close") setMode("home"); else a.back(); }
      else if (e.key === "F1" && a.mode === "home") a.start("open");
      else if (e.key === "F4" && a.mode === "home") a.start("close");
      else if (e.key === "F12" && a.mode === "open") a.open();
      else if (e.key === "F12" && a.mode === "close") a.close();
      else if (e.key === "F5" && a.mode === "z") a.printZ();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  if (mode === "z" && z) {
    return (
      <main class="shift" data-testid="shift-z">
        <ZSlip t={t} z={z} />
        <div class="row">
          <button data-testid="z-print" onClick={printZ}>{t("shift.print")} (F5)</button>
          <button class="primary" data-testid="shift-done" onClick={props.onBack}>{t("shift.done")} (Esc)</button>
        </div>
        {printed && <p data-testid="z-printed">{printed}</p>}
      </main>
    );
  }
  const counted = totalOf(count);
  const expected = now?.x.expected_cash ?? 0;
  return (
    <main class="shift" data-testid={`shift-${mode}`}>
      <h1>{t("shift.title")}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {now && mode === "home" && (
        <>
          <p data-testid="shift-state">
            {now.open
              ? t("shift.open_since", { name: now.open.opened_by_name ?? "—", at: shopTime(now.open.opened_at), amount: now.open.display.float_total })
              : t("shift.none_open", { z: now.last_z ?? t("shift.first") })}
          </p>
          <h2>{t("shift.x_title")}</h2>
          <XTable t={t} x={now.x} />
          {!now.open && <button class="wide" data-testid="shift-open" onClick={() => start("open")}>{t("shift.open")} (F1)</button>}
          <button class="primary wide" data-testid="shift-close" onClick={() => start("close")}>{t("shift.close")} (F4)</button>
          <button class="link" onClick={props.onBack}>{t("returns.back")} (Esc)</button>
        </>
      )}
      {now && mode === "open" && (
        <>
          <h2>{t("shift.float_title")}</h2>
          <CountGrid t={t} denominations={now.denominations} count={count} onChange={setCount} onEnter={open} testid="float" />
          <button class="primary wide" data-testid="shift-open-confirm" disabled={busy} onClick={open}>{t("shift.open")} (F12)</button>
          <button class="link" onClick={() => setMode("home")}>{t("approval.cancel")} (Esc)</button>
        </>
      )}
      {now && mode === "close" && (
        <>
          <h2>{t("shift.count_title")}</h2>
          <CountGrid t={t} denominations={now.denominations} count={count} onChange={setCount} onEnter={close} testid="counted" />
          <dl class="totals" data-testid="close-summary">
            <dt>{t("shift.expected")}</dt><dd data-testid="close-expected">{formatRupees(expected)}</dd>
            <dt>{t("shift.counted")}</dt><dd data-testid="close-counted">{formatRupees(counted)}</dd>
            <dt class="big">{counted === expected ? t("shift.exact") : counted > expected ? t("shift.over") : t("shift.short")}</dt>
            <dd class={`big ${counted === expected ? "" : "error"}`} data-testid="close-difference">{formatRupees(counted - expected)}</dd>
          </dl>
          <label>{t("shift.note")}<input data-testid="shift-note" value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} /></label>
          <button class="primary wide" data-testid="shift-close-confirm" disabled={busy} onClick={close}>
            {counted === expected ? t("shift.close_z") : t("shift.close_z_manager")} (F12)
          </button>
          <button class="link" onClick={() => setMode("home")}>{t("approval.cancel")} (Esc)</button>
        </>
      )}
    </main>
  );
}
