import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createIncident, getIncidentMap, linkResult, setDescription, setStatus } from '@firebreak/shared';
import { readSummary, sameSummary } from './incident-summary.ts';

describe('readSummary', () => {
  it('reads the dashboard fields and links in link order', () => {
    const doc = new Y.Doc();
    const id = createIncident(
      doc,
      { title: 'Nulls', severity: 'major', results: [{ resultId: 'r1', checkId: 'pg:1' }] },
      'm1',
      { at: '2026-11-01T00:00:00.000Z' }
    );
    linkResult(doc, id, { resultId: 'r2', checkId: 'pg:2' }, 'm1', { at: '2026-11-02T00:00:00.000Z' });
    setStatus(doc, id, 'resolved', 'm1', { at: '2026-11-03T00:00:00.000Z', resolutionNotes: 'ok' });
    expect(readSummary(id, getIncidentMap(doc, id)!)).toEqual({
      id,
      title: 'Nulls',
      severity: 'major',
      status: 'resolved',
      leadId: null,
      reporterId: 'm1',
      createdAt: '2026-11-01T00:00:00.000Z',
      resolvedAt: '2026-11-03T00:00:00.000Z',
      invalid: false,
      links: [
        { resultId: 'r1', checkId: 'pg:1' },
        { resultId: 'r2', checkId: 'pg:2' }
      ]
    });
  });

  it('reads an entry a client wrote badly as a placeholder, never throwing', () => {
    const doc = new Y.Doc();
    const id = createIncident(doc, { title: 'Nulls', severity: 'major' }, 'm1');
    getIncidentMap(doc, id)!.set('status', 'on-fire');
    expect(readSummary(id, getIncidentMap(doc, id)!)).toMatchObject({ id, invalid: true, links: [] });
    expect(readSummary('x', 42)).toMatchObject({ id: 'x', invalid: true });
    expect(readSummary('y', new Y.Map())).toMatchObject({ id: 'y', invalid: true });
  });

  it('sees no dashboard change in a description edit', () => {
    const doc = new Y.Doc();
    const id = createIncident(doc, { title: 'Nulls', severity: 'major' }, 'm1');
    const before = readSummary(id, getIncidentMap(doc, id)!);
    setDescription(doc, id, 'more detail', 'm1');
    expect(sameSummary(before, readSummary(id, getIncidentMap(doc, id)!))).toBe(true);
    setStatus(doc, id, 'fixing', 'm1');
    expect(sameSummary(before, readSummary(id, getIncidentMap(doc, id)!))).toBe(false);
  });
});
