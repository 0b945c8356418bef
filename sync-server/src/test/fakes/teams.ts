import { randomBytes } from 'node:crypto';
import {
  FakeHttpServer,
  isJsonContentType,
  type FakeReply,
  type FakeRequest,
  type FakeServerOptions
} from './fake-http.ts';

/**
 * A Microsoft Teams Workflows webhook ("When a Teams webhook request is received" → post card).
 * The URL carries its credential (`sig`), as the real Power Automate trigger URLs do. A message
 * is accepted with 202 only if it is the `{type: 'message', attachments: [...]}` envelope with an
 * Adaptive Card whose elements have what Teams needs to render them; messages over Teams' size
 * limit are refused.
 */

/** Teams refuses messages over about 28 KB. */
export const TEAMS_MAX_MESSAGE_BYTES = 28 * 1024;
const ADAPTIVE_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** Adaptive Card versions Teams renders (1.5 on desktop and web). */
const SUPPORTED_VERSIONS = new Set(['1.0', '1.1', '1.2', '1.3', '1.4', '1.5']);

export interface FakeTeamsCard {
  card: Record<string, unknown>;
  /** Every TextBlock and fact of the card, for assertions. */
  text: string;
  /** Action.OpenUrl targets. */
  urls: string[];
  request: FakeRequest;
}

type Node = Record<string, unknown>;

const isObj = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why an element cannot be rendered, or null. */
function elementProblem(el: unknown, path: string): string | null {
  if (!isObj(el) || typeof el.type !== 'string') return `${path}: every element needs a type`;
  switch (el.type) {
    case 'TextBlock':
      return typeof el.text === 'string' ? null : `${path}: TextBlock needs text`;
    case 'FactSet':
      if (!Array.isArray(el.facts)) return `${path}: FactSet needs facts`;
      return (el.facts as unknown[]).every(
        (f) => isObj(f) && typeof f.title === 'string' && typeof f.value === 'string'
      )
        ? null
        : `${path}: each fact needs a string title and value`;
    case 'Container':
      return itemsProblem(el.items, `${path}.items`);
    case 'ColumnSet':
      if (el.columns === undefined) return null;
      if (!Array.isArray(el.columns)) return `${path}.columns is not an array`;
      for (const [i, c] of (el.columns as unknown[]).entries()) {
        const p = isObj(c)
          ? itemsProblem(c.items ?? [], `${path}.columns[${i}].items`)
          : `${path}.columns[${i}] is not a Column`;
        if (p) return p;
      }
      return null;
    case 'Image':
      return typeof el.url === 'string' ? null : `${path}: Image needs url`;
    case 'RichTextBlock':
      return Array.isArray(el.inlines) ? null : `${path}: RichTextBlock needs inlines`;
    case 'ActionSet':
      return actionsProblem(el.actions, `${path}.actions`);
    default:
      return null;
  }
}

function itemsProblem(items: unknown, path: string): string | null {
  if (!Array.isArray(items)) return `${path} is not an array`;
  for (const [i, el] of items.entries()) {
    const p = elementProblem(el, `${path}[${i}]`);
    if (p) return p;
  }
  return null;
}

function actionsProblem(actions: unknown, path: string): string | null {
  if (actions === undefined) return null;
  if (!Array.isArray(actions)) return `${path} is not an array`;
  for (const [i, a] of actions.entries()) {
    if (!isObj(a) || typeof a.type !== 'string') return `${path}[${i}]: every action needs a type`;
    if (a.type === 'Action.OpenUrl' && (typeof a.url !== 'string' || !/^https?:\/\//.test(a.url)))
      return `${path}[${i}]: Action.OpenUrl needs an absolute url`;
  }
  return null;
}

/** Null when `body` is a message Teams would post, else why not. */
export function teamsMessageProblem(body: unknown): string | null {
  if (!isObj(body)) return 'the body is not a JSON object';
  if (body.type !== 'message') return 'type must be "message"';
  if (!Array.isArray(body.attachments) || body.attachments.length === 0) return 'attachments must be a non-empty array';
  for (const [i, att] of (body.attachments as unknown[]).entries()) {
    if (!isObj(att)) return `attachments[${i}] is not an object`;
    if (att.contentType !== ADAPTIVE_CONTENT_TYPE)
      return `attachments[${i}].contentType must be ${ADAPTIVE_CONTENT_TYPE}`;
    const card = att.content;
    if (!isObj(card) || card.type !== 'AdaptiveCard') return `attachments[${i}].content.type must be "AdaptiveCard"`;
    if (typeof card.version !== 'string' || !SUPPORTED_VERSIONS.has(card.version))
      return `attachments[${i}].content.version must be one of ${[...SUPPORTED_VERSIONS].join(', ')}`;
    const p =
      itemsProblem(card.body, `attachments[${i}].content.body`) ??
      actionsProblem(card.actions, `attachments[${i}].content.actions`);
    if (p) return p;
  }
  return null;
}

function cardText(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(cardText);
  if (!isObj(node)) return [];
  const own: string[] = [];
  if (node.type === 'TextBlock' && typeof node.text === 'string') own.push(node.text);
  if (node.type === 'FactSet' && Array.isArray(node.facts))
    for (const f of node.facts as Node[]) own.push(`${String(f.title)}: ${String(f.value)}`);
  return [...own, ...cardText(node.body), ...cardText(node.items), ...cardText(node.columns)];
}

function cardUrls(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(cardUrls);
  if (!isObj(node)) return [];
  const own = node.type === 'Action.OpenUrl' && typeof node.url === 'string' ? [node.url] : [];
  return [
    ...own,
    ...cardUrls(node.actions),
    ...cardUrls(node.body),
    ...cardUrls(node.items),
    ...cardUrls(node.columns)
  ];
}

const flowError = (status: number, code: string, message: string): FakeReply => ({
  status,
  body: { error: { code, message } }
});

export class FakeTeams extends FakeHttpServer {
  readonly cards: FakeTeamsCard[] = [];
  readonly workflowId = randomBytes(16).toString('hex');
  readonly sig = randomBytes(24).toString('base64url');

  /** The webhook URL to configure (its `sig` is the credential). */
  get webhookUrl(): string {
    return `${this.url}/workflows/${this.workflowId}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${this.sig}`;
  }

  /** A link to the channel, as an admin would copy it from Teams. */
  readonly channelUrl = 'https://teams.microsoft.com/l/channel/19%3Afirebreak%40thread.tacv2/incidents?groupId=fake';

  protected override handle(req: FakeRequest): FakeReply {
    const m = /^\/workflows\/([^/]+)\/triggers\/manual\/paths\/invoke$/.exec(req.path);
    if (!m || m[1] !== this.workflowId) return flowError(404, 'WorkflowNotFound', 'The workflow could not be found.');
    if (!req.query.get('sig'))
      return flowError(401, 'DirectApiAuthorizationRequired', 'The request must be authenticated (sig is missing).');
    if (req.query.get('sig') !== this.sig)
      return flowError(401, 'DirectApiInvalidAuthorizationSignature', 'The provided request signature is not valid.');
    if (req.method !== 'POST')
      return flowError(405, 'MethodNotAllowed', `The trigger accepts POST, not ${req.method}.`);
    if (!isJsonContentType(req))
      return flowError(415, 'UnsupportedMediaType', 'Content-Type must be application/json.');
    if (req.raw.length > TEAMS_MAX_MESSAGE_BYTES)
      return flowError(
        413,
        'MessageSizeExceeded',
        `The message is ${req.raw.length} bytes; Teams accepts up to ${TEAMS_MAX_MESSAGE_BYTES}.`
      );
    const problem = req.json === undefined ? 'the body is not valid JSON' : teamsMessageProblem(req.json);
    if (problem) return flowError(400, 'InvalidRequestContent', problem);
    for (const att of (req.json as { attachments: Array<{ content: Node }> }).attachments)
      this.cards.push({
        card: att.content,
        text: cardText(att.content).join('\n'),
        urls: cardUrls(att.content),
        request: req
      });
    return { status: 202 };
  }
}

export async function startFakeTeams(opts: FakeServerOptions = {}): Promise<FakeTeams> {
  return new FakeTeams().start(opts);
}
