// On the payment screen: the customer (phone and name; for a business, GSTIN and
// legal name), and the UPI QR of the amount being paid.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, Buyer, GstinOut } from "./api";
import { formatRupees } from "./money";
import { message, T } from "./ui";

const MOBILE = /^[6-9][0-9]{9}$/;

/** What the panel gives the tender screen: the buyer to send, or why it cannot be sent yet. */
export interface CustomerState { buyer: Buyer | null; problem: string | null }

export function CustomerPanel(props: { t: T; onChange: (state: CustomerState) => void }) {
  const { t } = props;
  const [phone, setPhone] = useState("");
  const [name, setName] = useState("");
  const [b2b, setB2b] = useState(false);
  const [gstin, setGstin] = useState("");
  const [legal, setLegal] = useState("");
  const [checked, setChecked] = useState<GstinOut | null>(null);
  const [gstinError, setGstinError] = useState("");
  const [found, setFound] = useState(false);
  const phoneRef = useRef<HTMLInputElement>(null);

  // A known phone fills in what the customer gave at an earlier sale at this box.
  useEffect(() => {
    setFound(false);
    if (!MOBILE.test(phone)) return;
    let live = true;
    api.customer(phone).then(({ buyer }) => {
      if (!live) return;
      setFound(true);
      if (buyer.gstin) { setB2b(true); setGstin(buyer.gstin); setLegal(buyer.name ?? ""); }
      else setName((n) => n || buyer.name || "");
    }, () => undefined);
    return () => { live = false; };
  }, [phone]);

  // The box checks the GSTIN as checkout will, and says what is wrong in its own words.
  useEffect(() => {
    setChecked(null); setGstinError("");
    const value = gstin.trim().toUpperCase();
    if (!b2b || value.length < 15) return;
    let live = true;
    api.checkGstin(value).then((ok) => { if (live) setChecked(ok); },
      (err) => { if (live) setGstinError(err instanceof ApiError ? err.message : message(t, err)); });
    return () => { live = false; };
  }, [gstin, b2b]);

  useEffect(() => {
    const digits = phone.trim();
    let problem: string | null = null;
    let buyer: Buyer | null = null;
    if (digits && !MOBILE.test(digits)) problem = t("customer.bad_phone");
    else if (b2b) {
      if (gstinError) problem = gstinError;
      else if (!checked) problem = t("customer.need_gstin");
      else if (!legal.trim()) problem = t("customer.need_legal");
      else buyer = { gstin: checked.gstin, name: legal.trim(), phone: digits || null };
    } else if (digits || name.trim()) buyer = { phone: digits || null, name: name.trim() || null };
    props.onChange({ buyer, problem });
  }, [phone, name, b2b, checked, gstinError, legal]);

  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "F6") phoneRef.current?.focus();
      else if (e.key === "F7") setB2b((v) => !v);
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const value = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);
  return (
    <fieldset class="customer" data-testid="customer">
      <legend>{t("customer.title")} (F6)</legend>
      <div class="row">
        <label>{t("customer.phone")}
          <input ref={phoneRef} data-testid="customer-phone" inputMode="numeric" maxLength={10} value={phone}
            onInput={(e) => setPhone((e.target as HTMLInputElement).value.replace(/\D/g, ""))} />
        </label>
        {!b2b && (
          <label>{t("customer.name")}
            <input data-testid="customer-name" maxLength={200} value={name} onInput={value(setName)} />
          </label>
        )}
        <button class={b2b ? "chosen" : ""} data-testid="customer-b2b" aria-pressed={b2b} onClick={() => setB2b(!b2b)}>
          {t("customer.b2b")} (F7)
        </button>
      </div>
      {found && <p class="hint" data-testid="customer-found">{t("customer.found")}</p>}
      {b2b && (
        <div class="row">
          <label>{t("customer.gstin")}
            <input data-testid="customer-gstin" maxLength={15} value={gstin} autoCapitalize="characters"
              onInput={(e) => setGstin((e.target as HTMLInputElement).value.toUpperCase())} />
          </label>
          <label>{t("customer.legal")}
            <input data-testid="customer-legal" maxLength={200} value={legal} onInput={value(setLegal)} />
          </label>
        </div>
      )}
      {b2b && checked && <p class="hint" data-testid="gstin-ok">{t("customer.gstin_ok", { state: checked.state_name })}</p>}
      {b2b && gstinError && <p class="error" role="alert" data-testid="gstin-error">{gstinError}</p>}
    </fieldset>
  );
}

/** The box's UPI QR for ``amount`` paise of the bill, large, with the amount under it. */
export function UpiQr(props: { t: T; cartId: string; amount: number }) {
  const { t, cartId, amount } = props;
  const [src, setSrc] = useState<string | null>(null);
  const [problem, setProblem] = useState("");
  useEffect(() => {
    setSrc(null); setProblem("");
    if (amount <= 0) return;
    let live = true;
    // Typed amounts change key by key: ask the box once the typing pauses.
    const timer = setTimeout(() => api.upiQr(cartId, amount).then(
      (url) => { if (live) setSrc(url); },
      (err) => { if (live) setProblem(message(t, err)); }), 200);
    return () => { live = false; clearTimeout(timer); };
  }, [cartId, amount]);
  if (problem) return <p class="error upi-none" data-testid="upi-qr-none">{problem}</p>;
  return (
    <figure class="upi-qr" data-testid="upi-qr">
      {src ? <img data-testid="upi-qr-img" src={src} alt={t("upi.scan", { amount: formatRupees(amount) })} /> : <div class="upi-wait" />}
      <figcaption>{t("upi.scan", { amount: formatRupees(amount) })}</figcaption>
    </figure>
  );
}
