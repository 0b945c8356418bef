import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createIncident, incidentsMap, numbersMap, setSeverity, setStatus } from '@firebreak/shared';
import { connectWorkspace, join, tempDir, until } from '../test/harness.ts';
import { killed, spawnServer } from '../test/spawn.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('durability', () => {
  it('[S1] SIGKILL mid-edit loses nothing any client had seen confirmed', async () => {
    const dataDir = tempDir();
    const first = await spawnServer(dataDir);
    cleanups.push(() => first.proc.kill('SIGKILL'));
    // Signed in through the first start's admin link, as a person would.
    const session = await join(first.url, first.bootstrapUrl!.split('/join/')[1]!);
    const writer = connectWorkspace(first, session);
    const observer = connectWorkspace(first, session);
    const ada = session.member.id;
    await Promise.all([writer.synced(), observer.synced()]);

    // Keep editing while the server is killed: some edits are confirmed (the observer got the
    // relay's broadcast), the rest were in flight.
    let stop = false;
    const editing = (async () => {
      for (let i = 0; !stop && i < 2000; i++) {
        const id = createIncident(writer.doc, { title: `edit ${i}`, severity: 'minor' }, ada);
        if (i % 3 === 0) setStatus(writer.doc, id, 'investigating', ada);
        if (i % 5 === 0) setSeverity(writer.doc, id, 'critical', ada);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await until(() => incidentsMap(observer.doc).size >= 50, 20_000, 'observer to see 50 incidents');
    first.proc.kill('SIGKILL');
    await killed(first.proc);
    stop = true;
    await editing;
    // What the observer has now is exactly what the relay broadcast before it died.
    const confirmed = Y.encodeStateVector(observer.doc);
    const confirmedIncidents = incidentsMap(observer.doc).size;
    const confirmedNumbers = new Map(numbersMap(observer.sys).entries());
    writer.destroy();
    observer.destroy();

    const second = await spawnServer(dataDir);
    cleanups.push(() => second.proc.kill('SIGKILL'));
    const fresh = connectWorkspace(second, session);
    cleanups.push(() => fresh.destroy());
    await fresh.synced();
    await until(() => incidentsMap(fresh.doc).size >= confirmedIncidents, 10_000, 'restored incidents');

    const have = Y.decodeStateVector(Y.encodeStateVector(fresh.doc));
    for (const [client, clock] of Y.decodeStateVector(confirmed))
      expect(have.get(client) ?? 0).toBeGreaterThanOrEqual(clock);
    await until(() => numbersMap(fresh.sys).size >= confirmedNumbers.size, 10_000, 'restored numbers');
    for (const [id, n] of confirmedNumbers) expect(numbersMap(fresh.sys).get(id)).toBe(n);
  });
});
