import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '@firebreak/shared';
import { SERVER_ACTOR } from '@firebreak/shared';
import { actorName, describeEvent } from './timeline.ts';

const ctx = {
  memberName: (id: string) => ({ m1: 'Ana', m2: 'Bo' })[id],
  checkName: (id: string) => ({ 'pg:1': 'Null emails' })[id]
};
const ev = (kind: TimelineEvent['kind'], from?: unknown, to?: unknown): TimelineEvent => ({
  id: 'e',
  at: '',
  by: 'm1',
  kind,
  from,
  to
});

describe('describeEvent', () => {
  it('names the reason of a resolution', () => {
    expect(describeEvent({ ...ev('status', 'fixing', 'resolved'), reason: 'false_positive' }, ctx)).toBe(
      'changed status from Fixing to Resolved (False positive)'
    );
    expect(describeEvent({ ...ev('status', 'fixing', 'resolved'), reason: 'bogus' }, ctx)).toBe(
      'changed status from Fixing to Resolved'
    );
  });
  it('describes status changes and reopening', () => {
    expect(describeEvent(ev('status', 'reported', 'investigating'), ctx)).toBe(
      'changed status from Reported to Investigating'
    );
    expect(describeEvent(ev('status', 'resolved', 'fixing'), ctx)).toBe(
      'reopened the incident: status from Resolved to Fixing'
    );
  });
  it('describes creation, severity and title', () => {
    expect(describeEvent(ev('created', undefined, { title: 't', severity: 'critical' }), ctx)).toBe(
      'reported the incident as Critical'
    );
    expect(describeEvent(ev('severity', 'minor', 'major'), ctx)).toBe('changed severity from Minor to Major');
    expect(describeEvent(ev('title', 'a', 'b'), ctx)).toBe('renamed the incident from “a” to “b”');
  });
  it('names leads, including unknown and removed ones', () => {
    expect(describeEvent(ev('lead', null, 'm2'), ctx)).toBe('made Bo the lead');
    expect(describeEvent(ev('lead', 'm2', 'm1'), ctx)).toBe('changed the lead from Bo to Ana');
    expect(describeEvent(ev('lead', 'm2', null), ctx)).toBe('removed Bo as lead');
    expect(describeEvent(ev('lead', null, 'x'), ctx)).toBe('made an unknown member the lead');
  });
  it('names the check of linked and unlinked results', () => {
    expect(describeEvent(ev('linked', undefined, { resultId: 'r', checkId: 'pg:1' }), ctx)).toBe(
      'linked a result of Null emails'
    );
    expect(describeEvent(ev('unlinked', { resultId: 'r', checkId: 'pg:9' }), ctx)).toBe('unlinked a result of pg:9');
  });
  it('describes the server linking new failing results of a scan', () => {
    const to = (n: number, scan?: unknown) => ({
      results: Array.from({ length: n }, (_, i) => ({ resultId: `r${i}`, checkId: 'pg:1' })),
      scan
    });
    expect(describeEvent(ev('linked', undefined, to(2, { id: 's1', name: 'nightly orders' })), ctx)).toBe(
      'linked 2 new failing results from scan “nightly orders”'
    );
    expect(describeEvent(ev('linked', undefined, to(1, { id: 's1', name: 'nightly' })), ctx)).toBe(
      'linked 1 new failing result from scan “nightly”'
    );
    expect(describeEvent(ev('linked', undefined, to(1)), ctx)).toBe('linked 1 new failing result of Null emails');
  });
  it('names the server as Firebreak and unknown actors as Someone', () => {
    expect(actorName(SERVER_ACTOR, ctx)).toBe('Firebreak');
    expect(actorName('m2', ctx)).toBe('Bo');
    expect(actorName('zz', ctx)).toBe('Someone');
  });
});
