export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.__rampartServers ?? []).map((s) => s.stop()));
}
