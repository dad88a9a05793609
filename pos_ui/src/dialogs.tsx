// Dialogs over the sell screen: a manager's PIN for an approval, a line or bill
// discount, the held bills to recall.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { Approval, HeldBill, Line, Staff } from "./api";
import { formatRupees, parsePercentBp, parseRupees, percentOf } from "./money";
import { Ask, Keypad, MANAGER_ROLES, shopTime, T, usePinKeys } from "./ui";

export function ApprovalDialog(props: { t: T; ask: Ask; staff: Staff[]; onDone: () => void }) {
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

/** The line's price before its discount, in paise (qty is in thousandths). */
export const grossOf = (l: Line) => Math.round((l.unit_price * l.qty) / 1000);

export function DiscountDialog(props: { t: T; line: Line; onApply: (paise: number) => void; onCancel: () => void }) {
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

/** What the bill asks before a bill discount: each line's price less its own discount. */
export const billAmountOf = (lines: Line[]) => lines.reduce((s, l) => s + grossOf(l) - l.discount, 0);

export function BillDiscountDialog(props: {
  t: T; lines: Line[]; onApply: (off: { amount: number } | { percent_bp: number }) => void; onCancel: () => void;
}) {
  const { t } = props;
  const amount = billAmountOf(props.lines);
  const [mode, setMode] = useState<"rupees" | "percent">("rupees");
  const [text, setText] = useState("");
  const [local, setLocal] = useState("");
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => { inputRef.current?.focus(); inputRef.current?.select(); }, [mode]);
  // A percent goes to the box as basis points and the box works out the paise (rounded down, as shown here).
  const off = (): { amount: number } | { percent_bp: number } | null => {
    if (mode === "percent") { const bp = parsePercentBp(text.trim()); return bp === null ? null : { percent_bp: bp }; }
    const paise = parseRupees(text.trim() || "0");
    return paise === null ? null : { amount: paise };
  };
  const paiseOf = (o: { amount: number } | { percent_bp: number }) => ("amount" in o ? o.amount : percentOf(amount, o.percent_bp));
  const apply = () => {
    const o = off();
    if (o === null) { setLocal(t(mode === "percent" ? "discount.bad_percent" : "discount.bad_amount")); return; }
    if (paiseOf(o) > amount) { setLocal(t("bill_discount.too_much", { amount: formatRupees(amount) })); return; }
    props.onApply(o);
  };
  const preview = off();
  return (
    <div class="modal" role="dialog" aria-modal="true" data-testid="bill-discount-dialog">
      <div class="modal-body">
        <h2>{t("bill_discount.title")}</h2>
        <p>{t("bill_discount.amount", { amount: formatRupees(amount) })}</p>
        <div class="kinds">
          <button data-testid="bill-discount-rupees" class={mode === "rupees" ? "chosen" : ""} onClick={() => setMode("rupees")}>₹</button>
          <button data-testid="bill-discount-percent" class={mode === "percent" ? "chosen" : ""} onClick={() => setMode("percent")}>%</button>
        </div>
        <input ref={inputRef} data-testid="bill-discount-input" inputMode="decimal" value={text}
          placeholder={mode === "percent" ? "10%" : "0.00"}
          onInput={(e) => { setText((e.target as HTMLInputElement).value); setLocal(""); }}
          onKeyDown={(e) => {
            if (e.key === "Enter") { e.preventDefault(); e.stopPropagation(); apply(); }
            else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); props.onCancel(); }
            else if (e.key === "%") { e.preventDefault(); setMode("percent"); }
          }} />
        <p data-testid="bill-discount-preview">
          {preview !== null && paiseOf(preview) <= amount ? t("bill_discount.preview", { amount: formatRupees(paiseOf(preview)) }) : "\u00a0"}
        </p>
        {local && <p class="error" role="alert">{local}</p>}
        <button class="primary wide" data-testid="bill-discount-apply" onClick={apply}>{t("discount.apply")} (Enter)</button>
        <button class="link" onClick={props.onCancel}>{t("approval.cancel")} (Esc)</button>
      </div>
    </div>
  );
}

/** The bills on hold at this box; a digit or a tap reopens one. */
export function RecallDialog(props: { t: T; held: HeldBill[]; onRecall: (cartId: string) => void; onCancel: () => void }) {
  const { t, held } = props;
  const actions = useRef(props);
  actions.current = props;
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const n = /^[1-9]$/.test(e.key) ? Number(e.key) : 0;
      if (n && n <= actions.current.held.length) actions.current.onRecall(actions.current.held[n - 1].cart.cart_id);
      else if (e.key === "Escape") actions.current.onCancel();
      else return;
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, []);
  const time = shopTime;
  return (
    <div class="modal" role="dialog" aria-modal="true" data-testid="recall-dialog">
      <div class="modal-body">
        <h2>{t("hold.recall_title")}</h2>
        {held.length === 0 && <p>{t("hold.none")}</p>}
        <ol class="held-bills">
          {held.map((h, i) => (
            <li key={h.cart.cart_id}>
              <button class="wide" data-testid="held-bill" onClick={() => props.onRecall(h.cart.cart_id)}>
                <span class="key-hint">{i + 1}</span>
                <span>{time(h.held_at)}</span>
                <span>{t("hold.lines", { n: h.cart.lines.length })}</span>
                <span class="num">{h.cart.display.payable}</span>
                <small>{h.held_by ?? ""}</small>
              </button>
            </li>
          ))}
        </ol>
        <button class="link" onClick={props.onCancel}>{t("approval.cancel")} (Esc)</button>
      </div>
    </div>
  );
}
