/** The meter all Rampart instruments hang off; names follow `rampart.<part>.<what>`. */
import { metrics, type Meter } from '@opentelemetry/api';

export function rampartMeter(): Meter {
  return metrics.getMeter('rampart');
}
