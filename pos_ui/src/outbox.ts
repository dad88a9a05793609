// Sales the box has not confirmed, kept in IndexedDB on this device until it
// does. Each keeps the sale id it was first sent with: the box records a
// checkout once per sale id, so sending again after a lost answer, a reload
// or a box restart can never make a second sale.
import type { Buyer, Tender } from "./api";

export interface PendingSale { sale_id: string; cart_id: string; tenders: Tender[]; buyer?: Buyer | null; kept_at: number }

const DB = "setledger-pos";
const STORE = "undelivered_sales";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "sale_id" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<R>(mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<R>): Promise<R> {
  const db = await open();
  try {
    return await new Promise<R>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export const outbox = {
  keep: (sale: PendingSale) => run("readwrite", (s) => s.put(sale)),
  all: () => run<PendingSale[]>("readonly", (s) => s.getAll() as IDBRequest<PendingSale[]>),
  drop: (saleId: string) => run("readwrite", (s) => s.delete(saleId)),
};
