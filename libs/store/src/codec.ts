/**
 * Encodes values for storage that FerretDB v1 cannot hold as they are (and MongoDB only awkwardly):
 * keys containing `.` or `$` (e.g. model names as keys), non-finite numbers (NaN, Infinity from
 * Python-written logs) and arrays directly inside arrays. `decodeFromStorage` restores them.
 */
const NON_FINITE = '__nonFinite';
const NESTED = '__nestedArray';

const escapeKey = (key: string) => key.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/\$/g, '%24');
const unescapeKey = (key: string) => key.replace(/%2E/g, '.').replace(/%24/g, '$').replace(/%25/g, '%');

function isPlain(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

export function encodeForStorage(value: unknown, insideArray = false): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return { [NON_FINITE]: String(value) };
  if (Array.isArray(value)) {
    const items = value.map((v) => encodeForStorage(v, true));
    return insideArray ? { [NESTED]: items } : items;
  }
  if (isPlain(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeKey(k), encodeForStorage(v)]));
  return value;
}

export function decodeFromStorage(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeFromStorage);
  if (isPlain(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === NON_FINITE) return Number(value[NON_FINITE]);
    if (keys.length === 1 && keys[0] === NESTED) return decodeFromStorage(value[NESTED]);
    return Object.fromEntries(keys.map((k) => [unescapeKey(k), decodeFromStorage(value[k])]));
  }
  return value;
}
