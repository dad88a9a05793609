// Keyboard-wedge scanners type a code as a fast burst of keys ending in
// Enter. Keys are collected wherever the focus is; a burst whose keys came
// less than GAP_MS apart is a scan, even when it landed in a text field (its
// characters are taken back out of the field). Slow typing outside a text
// field followed by Enter is a code keyed in by hand.

export const GAP_MS = 50;
const MIN_SCAN = 3;

export interface WedgeHandlers {
  onScan(code: string): void;
  onManual(code: string): void;
}

function isField(el: EventTarget | null): el is HTMLInputElement | HTMLTextAreaElement {
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement;
}

export function attachWedge(target: Window, handlers: WedgeHandlers, active: () => boolean): () => void {
  let buf = "";
  let fast = true;
  let last = 0;

  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.altKey || e.metaKey || !active()) {
      buf = "";
      return;
    }
    const now = performance.now();
    if (e.key === "Enter") {
      const code = buf;
      const wasFast = fast && code.length >= MIN_SCAN && now - last < GAP_MS * 2;
      buf = "";
      fast = true;
      if (wasFast) {
        e.preventDefault();
        e.stopImmediatePropagation();
        const field = e.target;
        if (isField(field) && field.value.endsWith(code)) {
          field.value = field.value.slice(0, -code.length);
          field.dispatchEvent(new Event("input", { bubbles: true }));
        }
        handlers.onScan(code);
      } else if (code && !isField(e.target)) {
        e.preventDefault();
        handlers.onManual(code);
      }
      return;
    }
    if (e.key.length !== 1) return;
    if (buf && now - last > GAP_MS) {
      // A pause: a person typing. Keep collecting, but it is no longer a scan.
      if (isField(e.target)) buf = "";
      fast = buf === "";
    }
    last = now;
    buf += e.key;
  };
  target.addEventListener("keydown", onKey, true);
  return () => target.removeEventListener("keydown", onKey, true);
}
