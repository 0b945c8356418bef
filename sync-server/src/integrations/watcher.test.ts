import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createIncident, linkResult, setDescription, setLead, setStatus, setTitle } from '@firebreak/shared';
import { touchedIncidents } from './watcher.ts';

function touchesOf(doc: Y.Doc, fn: () => void): string[] {
  const seen = new Set<string>();
  const on = (txn: Y.Transaction) => touchedIncidents(doc, txn).forEach((id) => seen.add(id));
  doc.on('afterTransaction', on);
  fn();
  doc.off('afterTransaction', on);
  return [...seen];
}

describe('watcher', () => {
  it('[IN12] only watched fields touch an incident: typing a description or a title costs the watcher nothing', () => {
    const doc = new Y.Doc();
    let id = '';
    expect(touchesOf(doc, () => (id = createIncident(doc, { title: 'A', severity: 'minor' }, 'm1')))).toEqual([id]);
    expect(touchesOf(doc, () => setDescription(doc, id, 'typing…', 'm1'))).toEqual([]);
    expect(touchesOf(doc, () => setTitle(doc, id, 'B', 'm1'))).toEqual([]);
    expect(touchesOf(doc, () => setStatus(doc, id, 'fixing', 'm1'))).toEqual([id]);
    expect(touchesOf(doc, () => setLead(doc, id, 'm2', 'm1'))).toEqual([id]);
    expect(touchesOf(doc, () => linkResult(doc, id, { resultId: 'r1', checkId: 'c1' }, 'm1'))).toEqual([id]);
    // Applied from another replica (the relay's case), the same holds.
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    const sv = Y.encodeStateVector(doc);
    setDescription(doc, id, 'more typing', 'm1');
    expect(touchesOf(other, () => Y.applyUpdate(other, Y.encodeStateAsUpdate(doc, sv)))).toEqual([]);
    const sv2 = Y.encodeStateVector(doc);
    setStatus(doc, id, 'resolved', 'm1', { resolutionNotes: 'done' });
    expect(touchesOf(other, () => Y.applyUpdate(other, Y.encodeStateAsUpdate(doc, sv2)))).toEqual([id]);
  });
});
