/**
 * jest globalSetup: starts the shared servers (MongoDB or FerretDB, and Jaeger) once for the run,
 * unless given from outside. With a Docker engine they are containers (a real MongoDB replica set);
 * without one, the FerretDB and Jaeger binaries from deploy/local/install-servers.sh.
 */
import { startJaegerContainer, startMongoContainer, useContainers } from './containers';
import { FerretDb, Jaeger } from './servers';

declare global {
  var __rampartServers: { stop(): Promise<void> }[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started: { stop(): Promise<void> }[] = [];
  const containers = useContainers();
  if (!process.env.RAMPART_TEST_MONGODB_URI) {
    const mongo = containers ? await startMongoContainer() : await FerretDb.start();
    started.push(mongo);
    process.env.RAMPART_TEST_MONGODB_URI = mongo.uri;
  }
  if (!process.env.RAMPART_TEST_JAEGER_QUERY) {
    const jaeger = containers ? await startJaegerContainer() : await Jaeger.start();
    started.push(jaeger);
    process.env.RAMPART_TEST_JAEGER_QUERY = jaeger.queryUrl;
    process.env.RAMPART_TEST_OTLP_ENDPOINT = jaeger.otlpEndpoint;
  }
  globalThis.__rampartServers = started;
}
