// Money is integer paise, as on the box. These two helpers only show an
// amount the cashier types or a sum of tenders; the box's `display`
// strings are used wherever the API gives them.

export function groupIndian(whole: number): string {
  const digits = String(whole);
  if (digits.length <= 3) return digits;
  const last3 = digits.slice(-3);
  let rest = digits.slice(0, -3);
  const parts: string[] = [];
  while (rest.length > 2) {
    parts.unshift(rest.slice(-2));
    rest = rest.slice(0, -2);
  }
  if (rest) parts.unshift(rest);
  return `${parts.join(",")},${last3}`;
}

/** 12345678 -> "₹1,23,456.78" (same as the box's format_rupees). */
export function formatRupees(paise: number): string {
  const sign = paise < 0 ? "-" : "";
  const abs = Math.abs(paise);
  const whole = Math.floor(abs / 100);
  const frac = String(abs % 100).padStart(2, "0");
  return `${sign}₹${groupIndian(whole)}.${frac}`;
}

/** "250", "250.5", "1,250.50" -> paise; null when it is not an amount. */
export function parseRupees(text: string): number | null {
  const clean = text.replace(/[₹,\s]/g, "");
  const m = /^(\d{1,11})(?:\.(\d{1,2}))?$/.exec(clean);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}

/** "10", "12.5", "7.25%" -> basis points (1000, 1250, 725); null when not a percent up to 100. */
export function parsePercentBp(text: string): number | null {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?%?$/.exec(text.replace(/\s/g, ""));
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return bp <= 10000 ? bp : null;
}

/** A percent of a line's gross in whole paise, rounded down (never above what was typed). */
export function percentOf(gross: number, bp: number): number {
  return Math.floor((gross * bp) / 10000);
}
