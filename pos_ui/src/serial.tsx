// The serial number of a unit (a phone's IMEI): asked when a serial-tracked item is
// scanned or picked. The box answers such a scan with SERIAL_REQUIRED naming the
// product; this dialog takes the unit's number (the scanner's next scan types it
// into the focused field, or the box's own scanner fills it) and Enter adds the line.
// The box's refusal (already on this bill, sold and not returned) stays in the
// dialog, so the cashier scans the right unit without starting over.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api";
import { T } from "./ui";

export interface SerialProduct { product_id: string; sku: string; name: string }

/** The product a SERIAL_REQUIRED refusal names; null for any other error. */
export function serialAsked(err: unknown): SerialProduct | null {
  if (!(err instanceof ApiError) || err.code !== "SERIAL_REQUIRED") return null;
  const d = err.details;
  if (typeof d.product_id !== "string") return null;
  return { product_id: d.product_id, sku: String(d.sku ?? ""), name: String(d.name ?? "") };
}

export function SerialDialog(props: {
  t: T; product: SerialProduct;
  /** Adds the line; resolves to the box's refusal to show, or null when added. */
  onSerial: (serial: string) => Promise<string | null>;
  onCancel: () => void;
  /** Registers where a scan from the box's scanner goes while the dialog is open. */
  takeScans: (sink: ((code: string) => void) | null) => void;
}) {
  const { t, product } = props;
  const [serial, setSerial] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => { inputRef.current?.focus(); }, []);
  const submit = async (text: string) => {
    const value = text.trim();
    if (busy) return;
    if (!value) { setError(t("serial.empty")); return; }
    setBusy(true);
    try {
      const refused = await props.onSerial(value);
      if (refused) { setError(refused); setSerial(""); inputRef.current?.focus(); }
    } finally {
      setBusy(false);
    }
  };
  const actions = useRef({ submit, cancel: props.onCancel, serial });
  actions.current = { submit, cancel: props.onCancel, serial };
  useEffect(() => {
    props.takeScans((code) => { setSerial(code); actions.current.submit(code); });
    return () => props.takeScans(null);
  }, []);
  // Enter and Esc belong to the dialog while it is open (the sell screen's keys wait).
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Enter") actions.current.submit(inputRef.current?.value ?? actions.current.serial);
      else if (e.key === "Escape") actions.current.cancel();
      else return;
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, []);
  return (
    <div class="modal" role="dialog" aria-modal="true" data-testid="serial-dialog">
      <div class="modal-body">
        <h2>{t("serial.title", { name: product.name })}</h2>
        <p><small>{product.sku}</small></p>
        <p>{t("serial.hint")}</p>
        <label>{t("serial.label")}
          <input ref={inputRef} data-testid="serial-input" autoComplete="off" maxLength={64} value={serial}
            onInput={(e) => { setSerial((e.target as HTMLInputElement).value); setError(""); }} />
        </label>
        {error && <p class="error" role="alert" data-testid="serial-error">{error}</p>}
        <button class="primary wide" data-testid="serial-add" disabled={busy} onClick={() => submit(serial)}>{t("serial.add")} (Enter)</button>
        <button class="link" onClick={props.onCancel}>{t("approval.cancel")} (Esc)</button>
      </div>
    </div>
  );
}
