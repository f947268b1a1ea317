// A tiny key-value store over the raw IndexedDB API (one database, one object store),
// enough to keep the registry across reloads. Nothing leaves the machine.

const DB = 'driftlab';
const STORE = 'kv';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = use(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result as T);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

export function get<T>(key: string): Promise<T | undefined> {
  return withStore<T | undefined>('readonly', (s) => s.get(key));
}

export function set(key: string, value: unknown): Promise<void> {
  return withStore<void>('readwrite', (s) => s.put(value, key));
}

export function del(key: string): Promise<void> {
  return withStore<void>('readwrite', (s) => s.delete(key));
}
