/**
 * Inspect is written in Python, whose json module writes bare NaN, Infinity and -Infinity. Standard
 * JSON parsers reject them, so before parsing they are turned into marked strings (outside string
 * literals only, across chunk boundaries) and turned back into numbers after.
 */
import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';

const TOKENS = ['NaN', 'Infinity', '-Infinity'] as const;

export class NonFiniteJsonTransform extends Transform {
  private readonly decoder = new StringDecoder('utf8');
  private inString = false;
  private escaped = false;
  private carry = '';

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    done(null, this.rewrite(this.carry + this.decoder.write(chunk), false));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.rewrite(this.carry + this.decoder.end(), true));
  }

  /** Rewrites `text`, continuing the state of earlier chunks; `final` means no more text follows. */
  rewrite(text: string, final: boolean): string {
    this.carry = '';
    let out = '';
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') {
        this.inString = true;
        continue;
      }
      if (c !== 'N' && c !== 'I' && c !== '-') continue;
      const token = TOKENS.find((t) => text.startsWith(t, i));
      if (token) {
        // Marked with U+E000, a private-use character Inspect never writes before these values.
        out += `${text.slice(from, i)}"\\ue000${token}"`;
        i += token.length - 1;
        from = i + 1;
      } else if (!final && TOKENS.some((t) => t.startsWith(text.slice(i)))) {
        // A token may continue in the next chunk.
        this.carry = text.slice(i);
        return out + text.slice(from, i);
      }
    }
    return out + text.slice(from);
  }
}

/** Marked strings back to numbers, throughout a parsed value. */
export function reviveNonFinite(value: unknown): unknown {
  if (typeof value === 'string' && value.charCodeAt(0) === 0xe000) {
    const n = Number(value.slice(1));
    return Number.isNaN(n) && value.slice(1) !== 'NaN' ? value : n;
  }
  if (Array.isArray(value)) return value.map(reviveNonFinite);
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = reviveNonFinite(v);
  }
  return value;
}

/** Whole-text form, for small documents such as a .eval's header.json. */
export function parsePythonJson(text: string): unknown {
  return reviveNonFinite(JSON.parse(new NonFiniteJsonTransform().rewrite(text, true)));
}
