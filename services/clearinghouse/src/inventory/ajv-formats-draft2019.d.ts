// ajv-formats-draft2019 ships no types: it adds the draft 2019-09 formats (`idn-email`, `iri-reference`, ...) to an ajv.
declare module 'ajv-formats-draft2019' {
  import type { Format } from 'ajv';
  export default function addFormats<T extends { addFormat(name: string, format: Format): unknown }>(ajv: T, options?: { formats?: string[] }): T;
}
