import { createMemoryStore } from '../../../src/store/memory.js';
import { promotionStoreContract } from './contract.js';
import { storeNow } from './fixtures.js';
import { fleetRunStoreContract } from './fleet-contract.js';

promotionStoreContract('memory store', async () => {
  const store = createMemoryStore({ now: () => storeNow });
  return { store, cleanup: () => store.close() };
});

fleetRunStoreContract('memory store', async () => {
  const store = createMemoryStore({ now: () => storeNow });
  return { store, cleanup: () => store.close() };
});
