/** jest globalSetup: starts FerretDB and Jaeger once for the run, unless given from outside. */
import { FerretDb, Jaeger } from './servers';

declare global {
  // eslint-disable-next-line no-var
  var __rampartServers: { stop(): Promise<void> }[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started: { stop(): Promise<void> }[] = [];
  if (!process.env.RAMPART_TEST_MONGODB_URI) {
    const ferret = await FerretDb.start();
    started.push(ferret);
    process.env.RAMPART_TEST_MONGODB_URI = ferret.uri;
  }
  if (!process.env.RAMPART_TEST_JAEGER_QUERY) {
    const jaeger = await Jaeger.start();
    started.push(jaeger);
    process.env.RAMPART_TEST_JAEGER_QUERY = jaeger.queryUrl;
    process.env.RAMPART_TEST_OTLP_ENDPOINT = jaeger.otlpEndpoint;
  }
  globalThis.__rampartServers = started;
}
