import { describe, expect, it } from 'vitest';
import { blockProblems } from '../../test/fakes/slack.ts';
import {
  channelTopic,
  checkAlertMessage,
  clip,
  creationCard,
  decodeActionValue,
  encodeActionValue,
  leadMessage,
  linkedMessage,
  LIMITS,
  mrkdwnClip,
  quote,
  reopenedMessage,
  resolvedMessage,
  severityMessage,
  statusMessage,
  unlinkedMessage,
  type SlackMessage
} from './blocks.ts';
import { checkResultView, incidentView } from './test-context.ts';

const huge = (unit: string, n: number) => unit.repeat(n);
const many = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    checkResultView({
      id: `R${i}`,
      checkId: `pg:${i}`,
      name: `${huge('<&>', 400)} ${i}`,
      url: `http://x.test/${huge('a', 100)}`
    })
  );

function expectValid(m: SlackMessage) {
  expect(blockProblems(m.blocks)).toEqual([]);
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.text.length).toBeLessThanOrEqual(3000);
  expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
}

describe('Slack Block Kit messages', () => {
  it('[SL11] every message stays inside Block Kit limits, whatever the input length', () => {
    const incident = incidentView({
      title: huge('🔥 Überlong title & <b> ', 200),
      description: huge('lorem <ipsum> & ', 2000),
      lead: { id: 'M', name: huge('N', 5000), email: 'n@example.com' },
      reporter: null,
      resolutionReason: huge('r', 500),
      checkResults: many(200),
      url: `http://firebreak.test/incidents/${huge('x', 2000)}`
    });
    const notes = huge('line with <tags> & stuff\n', 1000);
    for (const m of [
      creationCard(incident),
      statusMessage(incident, 'reported', 'fixing'),
      severityMessage(incident, 'minor', 'critical'),
      leadMessage(incident),
      leadMessage({ ...incident, lead: null }),
      linkedMessage(
        incident,
        incident.checkResults.map((r) => r.id)
      ),
      unlinkedMessage(
        incident,
        Array.from({ length: 500 }, (_, i) => huge(`c${i}`, 300))
      ),
      resolvedMessage(incident, notes),
      resolvedMessage(incident, ''),
      reopenedMessage(incident, 'investigating'),
      checkAlertMessage(many(500))
    ])
      expectValid(m);
    expect(channelTopic(incident).length).toBeLessThanOrEqual(250);
  });

  it('[SL11] the fake refuses what Slack refuses, so the check above can fail', () => {
    const long = { type: 'section', text: { type: 'mrkdwn', text: huge('x', 3001) } };
    expect(blockProblems([long])[0]).toMatch(/less than 3001 characters/);
    expect(blockProblems(Array.from({ length: 51 }, () => ({ type: 'divider' })))[0]).toMatch(/no more than 50/);
    expect(blockProblems([{ type: 'header', text: { type: 'mrkdwn', text: 'x' } }])[0]).toMatch(/plain_text/);
  });

  it('[SL11] user text is escaped, so it cannot ping @channel or break links', () => {
    const card = creationCard(incidentView({ title: 'x', description: '<!channel> & <http://evil|click>' }));
    const body = JSON.stringify(card.blocks);
    expect(body).toContain('&lt;!channel&gt; &amp; &lt;http://evil|click&gt;');
    expect(body).not.toContain('<!channel>');
  });

  it('[SL11] clipping never splits a surrogate pair or an escape', () => {
    expect(clip('ab🔥cd', 4)).toBe('ab…');
    expect(clip('abc', 3)).toBe('abc');
    const m = mrkdwnClip('aaaa&&&&', 10);
    expect(m).toBe('aaaa&amp;…');
    expect(m.length).toBeLessThanOrEqual(10);
    const q = quote('one\ntwo\nthree', 10);
    expect(q.length).toBeLessThanOrEqual(10);
    expect(q.startsWith('>one\n>two')).toBe(true);
  });

  it('[SL13] status buttons carry a versioned value that must agree with the action id', () => {
    const value = encodeActionValue('01ABC', 'fixing');
    expect(decodeActionValue('firebreak_status:fixing', value)).toEqual({ v: 1, incident: '01ABC', status: 'fixing' });
    expect(decodeActionValue('firebreak_status:resolved', value)).toBeNull();
    expect(decodeActionValue('firebreak_status:reported', encodeActionValue('01ABC', 'fixing'))).toBeNull();
    expect(decodeActionValue('firebreak_status:fixing', '{"v":2,"incident":"01ABC","status":"fixing"}')).toBeNull();
    expect(decodeActionValue('firebreak_status:fixing', '{"v":1,"incident":"../x","status":"fixing"}')).toBeNull();
    expect(decodeActionValue('firebreak_status:fixing', 'not json')).toBeNull();
    expect(decodeActionValue('other:fixing', value)).toBeNull();
  });

  it('[SL3] the card leaves out the button of the current status, and all of them once resolved', () => {
    const ids = (m: SlackMessage) =>
      m.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.action_id) : []));
    expect(ids(creationCard(incidentView({ status: 'fixing' })))).toEqual([
      'firebreak_open',
      'firebreak_status:investigating',
      'firebreak_status:resolved'
    ]);
    expect(ids(creationCard(incidentView({ status: 'resolved' })))).toEqual(['firebreak_open']);
  });
});
