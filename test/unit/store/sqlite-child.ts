/**
 * A second controller process for the lock tests: `node --import tsx sqlite-child.ts <db> once|hold`.
 * Prints one line: OK (opened and closed), READY (opened, wrote a promotion, and now holds the lock
 * until killed), or the name of the error that stopped it.
 */
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { aPromotion } from './fixtures.js';

const [path, mode] = process.argv.slice(2);
if (!path || (mode !== 'once' && mode !== 'hold')) throw new Error('usage: sqlite-child.ts <db> once|hold');

try {
  const store = openSqliteStore(path);
  if (mode === 'once') {
    await store.close();
    console.log('OK');
  } else {
    await store.create(aPromotion({ id: 'from-child', platform: 'child' }), []);
    console.log('READY');
    // Held until the test kills us; the timer only bounds an orphan's life if the test itself dies.
    setTimeout(() => process.exit(3), 60_000);
  }
} catch (error) {
  console.log(error instanceof Error ? error.name : String(error));
  process.exitCode = 2;
}
