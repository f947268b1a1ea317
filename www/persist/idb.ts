// The page's key-value store in IndexedDB (idb-keyval over one database, `driftlab`, and
// one object store, `kv`), enough to keep the registry across reloads and engine
// restarts. Nothing leaves the machine.
import { createStore, del as remove, get as read, set as write } from 'idb-keyval';

const store = createStore('driftlab', 'kv');

export function get<T>(key: string): Promise<T | undefined> {
  return read<T>(key, store);
}

export function set(key: string, value: unknown): Promise<void> {
  return write(key, value, store);
}

export function del(key: string): Promise<void> {
  return remove(key, store);
}
