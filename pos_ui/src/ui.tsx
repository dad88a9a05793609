// What every screen shares: the translate function, errors in words, the
// header bar and the PIN keypad.
import { useLayoutEffect, useRef } from "preact/hooks";
import { ApiError, Approval, BoxStatus, PrinterStatus } from "./api";
import { Lang } from "./i18n";

export type T = (key: string, vars?: Record<string, string | number>) => string;
export type Screen = "signin" | "sell" | "tender" | "done" | "held" | "returns" | "shift";
export interface Ask { reason: string; resolve: (a: Approval | null) => void }

export const MANAGER_ROLES = new Set(["store_manager", "manager", "owner", "admin"]);

// The shop's clock: India, whatever the tablet or the kiosk's locale says.
const SHOP_TZ = "Asia/Kolkata";
const dateTime = new Intl.DateTimeFormat("en-IN", { timeZone: SHOP_TZ, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hour12: false });
const timeOnly = new Intl.DateTimeFormat("en-IN", { timeZone: SHOP_TZ, hour: "2-digit", minute: "2-digit", hour12: false });
/** "24/11/2026, 15:51" in the shop's time zone. */
export const shopDateTime = (iso: string) => dateTime.format(new Date(iso));
/** "15:51" in the shop's time zone. */
export const shopTime = (iso: string) => timeOnly.format(new Date(iso));

export function message(t: T, err: unknown): string {
  if (err instanceof ApiError) return err.status === 0 ? t("error.offline") : err.message;
  return t("error.generic", { message: String(err) });
}

export function Header(props: { t: T; lang: Lang; setLang: (l: Lang) => void; box: BoxStatus | null; boxDown: boolean; scanner: boolean; who?: string; undelivered: number; printer?: PrinterStatus | null }) {
  const { t, box } = props;
  const sync = props.boxDown ? t("sync.offline") : box && box.outbox_depth > 0 ? t("sync.waiting", { n: box.outbox_depth }) : t("sync.ok");
  const state = props.boxDown ? "down" : box && box.outbox_depth > 0 ? "waiting" : "ok";
  return (
    <header class="bar">
      <strong>{box ? `${box.store_name} · ${box.device_name}` : t("app.title")}</strong>
      {props.who && <span>{t("sell.cashier", { name: props.who })}</span>}
      <span class={`sync sync-${state}`} data-testid="sync" data-depth={box?.outbox_depth ?? ""}>{sync}</span>
      {props.undelivered > 0 && <span class="sync sync-down" data-testid="undelivered">{t("outbox.count", { n: props.undelivered })}</span>}
      {props.printer && !props.boxDown && (
        <span class={`sync sync-${PRINTER_LOOK[props.printer]}`} data-testid="printer" data-status={props.printer}>{t(`printer.${props.printer}`)}</span>
      )}
      <span class="scanner">{props.scanner ? t("scanner.live") : t("scanner.keyboard")}</span>
      <button class="lang" onClick={() => props.setLang(props.lang === "en" ? "hi" : "en")} title="F10">{t("lang.toggle")}</button>
    </header>
  );
}

// The printer's word in the header, coloured like the sync state.
const PRINTER_LOOK: Record<PrinterStatus, string> = {
  checking: "waiting", ready: "ok", paper_low: "waiting", paper_out: "down", cover_open: "down", offline: "down",
};

export function Keypad(props: { t: T; value: string; onChange: (v: string) => void; onEnter: () => void; enterLabel: string }) {
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

export function usePinKeys(active: boolean, setPin: (f: (v: string) => string) => void, enter: () => void, back: () => void) {
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
