/** Designation's configuration: the shared variables plus its own, validated at start-up. */
import { env, loadConfig, serviceConfig, z } from '@rampart/config';
import type { Consultee } from './domain/case';

/** `AGENCY=Title:required|optional,...`, e.g. `ONCD=National Cyber Director:required,CISA=CISA Director:required`. */
const consultees = (fallback: string) => z.string().default(fallback).transform((value, ctx): Consultee[] => {
  const out: Consultee[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9_-]+)=([^:]+):(required|optional)$/.exec(item);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not AGENCY=Title:required|optional` });
      return z.NEVER;
    }
    out.push({ agency: m[1]!, title: m[2]!.trim(), required: m[3] === 'required' });
  }
  if (out.length === 0) ctx.addIssue({ code: 'custom', message: 'must name at least one consultee' });
  return out;
});

const schema = z.object({
  ...serviceConfig(50052),
  CONSULTEES: consultees('ONCD=National Cyber Director:required,CISA=CISA Director:required,FBI=FBI Cyber Division:optional'),
  CONSULTATION_DAYS: env.positiveInt(14),
  MAX_LOG_BYTES: env.positiveInt(1024 * 1024 * 1024),
});

export type DesignationConfig = z.infer<typeof schema>;

export function loadDesignationConfig(source: NodeJS.ProcessEnv = process.env): DesignationConfig {
  return loadConfig(schema, source);
}
