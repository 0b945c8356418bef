import { describe, expect, it } from 'vitest';
import { SECRET_MASK, configFrom, formValues, issuesByField, parseHeaders } from './integration-fields.ts';

describe('integration settings forms', () => {
  it('leaves empty optional fields out so the server defaults apply, and keeps required ones even when empty', () => {
    const values = { ...formValues('jira', null), siteUrl: ' https://acme.atlassian.net ', projectKey: 'OPS' };
    expect(configFrom('jira', values)).toEqual({
      siteUrl: 'https://acme.atlassian.net',
      email: '',
      apiToken: '',
      projectKey: 'OPS'
    });
  });

  it('shows a stored secret as the mask and sends the mask back when untouched', () => {
    const stored = { url: 'https://h', secret: SECRET_MASK, headers: SECRET_MASK };
    const values = formValues('webhook', stored);
    expect(values).toEqual({ url: 'https://h', secret: SECRET_MASK, headers: SECRET_MASK });
    expect(configFrom('webhook', values)).toEqual(stored);
    expect(
      configFrom('webhook', { ...values, secret: 'new', headers: 'X-Team: data\nAuthorization: Bearer t' })
    ).toEqual({ url: 'https://h', secret: 'new', headers: { 'X-Team': 'data', Authorization: 'Bearer t' } });
  });

  it('sends checkboxes as booleans', () => {
    const v = formValues('slack', { botToken: SECRET_MASK, private: true });
    expect(v.private).toBe(true);
    expect(configFrom('slack', { ...v, private: false })).toMatchObject({ botToken: SECRET_MASK, private: false });
  });

  it('maps the server issues to their fields; the rest to the form', () => {
    expect(
      issuesByField('jira', [
        { path: 'config.siteUrl', message: 'must be the http(s) URL of the Jira site' },
        { path: 'config.statusMap.fixing', message: 'bad' },
        { path: 'name', message: 'too long' },
        { path: 'config.siteUrl', message: 'again' }
      ])
    ).toEqual({ siteUrl: 'must be the http(s) URL of the Jira site; again', '': 'bad', name: 'too long' });
  });

  it('parses header lines, keeping a line without a colon for the server to refuse', () => {
    expect(parseHeaders('A: 1\n\n  B:two:x \nbroken')).toEqual({ A: '1', B: 'two:x', broken: '' });
  });
});
