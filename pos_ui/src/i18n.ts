import en from "../i18n/en.json";
import hi from "../i18n/hi.json";

export type Lang = "en" | "hi";
const TABLES: Record<Lang, Record<string, string>> = { en, hi };

export function translate(lang: Lang, key: string, vars: Record<string, string | number> = {}): string {
  const text = TABLES[lang][key] ?? TABLES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

export function savedLang(): Lang {
  return localStorage.getItem("pos.lang") === "hi" ? "hi" : "en";
}
