/**
 * Evidence stored before items were keyed `<case>:<sequence>` has no `sequence`, and a case's fold
 * (allEvidence) stops at the first gap: such items would be silently left out of determinations.
 * There is no migration (nothing was released with them), so the service refuses to start while
 * any are stored, and says which collection holds them.
 */
import { MongoClient } from 'mongodb';
import { sharedServers, uniqueDatabase } from '@rampart/testing';
import { DesignationStore } from '../src/store';

const uri = () => sharedServers().mongodbUri;

it('refuses to open a store holding evidence stored without a sequence, naming the collection', async () => {
  const database = uniqueDatabase('designation-legacy');
  // A store that opens on a database without legacy items (the usual start).
  await (await DesignationStore.open(uri(), database)).close();

  const client = await MongoClient.connect(uri());
  try {
    await client.db(database).collection('designation_evidence').insertOne({ _id: 'legacy-item' as never, caseId: 'c1', body: {}, recordedAt: new Date(), revision: 1, outbox: [] });
  } finally {
    await client.close();
  }
  const refused = await DesignationStore.open(uri(), database).then(async (store) => {
    await store.close();
    return undefined;
  }, (error: unknown) => error);
  expect(refused).toBeInstanceOf(Error);
  expect((refused as Error).message).toMatch(/designation_evidence.*legacy-item/s);
});
