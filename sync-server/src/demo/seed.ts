import {
  createIncident,
  linkResult,
  parseSodaScan,
  SERVER,
  setLead,
  setStatus,
  type CheckSummary,
  type Member
} from '@firebreak/shared';
import type { CatalogStore } from '../catalog/catalog-store.ts';
import type { MemberStore } from '../access/members.ts';
import type { WorkspaceService } from '../workspace/workspace-service.ts';
import { demoScans } from './scans.ts';

/** The demo lives in its own workspace, seeded into a new data folder (FIREBREAK_DEMO=0 skips it). */
export const DEMO_WORKSPACE = 'demo';

export interface SeedDeps {
  catalog: CatalogStore;
  members: MemberStore;
  workspace: WorkspaceService;
  now: Date;
}

const DEMO_MEMBERS: Array<Pick<Member, 'id' | 'name' | 'email'>> = [
  { id: 'demo-ada', name: 'Ada Okafor', email: 'ada@example.com' },
  { id: 'demo-grace', name: 'Grace Lindqvist', email: 'grace@example.com' },
  { id: 'demo-ravi', name: 'Ravi Menon', email: 'ravi@example.com' },
  { id: 'demo-sofia', name: 'Sofia Alvarez', email: 'sofia@example.com' }
];

/**
 * Fills an empty data folder with a realistic workspace: two weeks of scan history over a few
 * datasets, a handful of members, and incidents at different stages for the failing checks.
 */
export async function seedDemo({ catalog, members, workspace, now }: SeedDeps): Promise<void> {
  for (const raw of demoScans(now)) {
    const parsed = parseSodaScan(raw);
    if (!parsed.ok) throw new Error(`demo scan is invalid: ${JSON.stringify(parsed.issues)}`);
    await catalog.ingest(DEMO_WORKSPACE, parsed.scan, now.toISOString());
  }
  await workspace.bumpCatalogVersion(DEMO_WORKSPACE);

  const joinedAt = new Date(now.getTime() - 30 * 86_400_000);
  for (const m of DEMO_MEMBERS) {
    const member = members.add(DEMO_WORKSPACE, { ...m, role: 'editor' }, joinedAt);
    await workspace.upsertMember(DEMO_WORKSPACE, member);
  }

  const { checks } = await catalog.listChecks(DEMO_WORKSPACE, 0, 10_000);
  const failing = checks.filter((c) => c.outcome === 'fail');
  const warning = checks.filter((c) => c.outcome === 'warn');
  const [ada, grace, ravi] = DEMO_MEMBERS.map((m) => m.id) as [string, string, string];
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
  const opts = (h: number) => ({ at: hoursAgo(h), origin: SERVER });

  await workspace.withWorkspace(DEMO_WORKSPACE, (doc) => {
    const open = (
      check: CheckSummary | undefined,
      title: string,
      severity: 'minor' | 'major' | 'critical',
      by: string,
      h: number
    ) =>
      check
        ? createIncident(
            doc,
            {
              title,
              severity,
              description: `Opened from the failing check "${check.name}" on ${check.dataset}.`,
              results: [{ resultId: check.lastResultId, checkId: check.id }]
            },
            by,
            opts(h)
          )
        : null;

    const first = open(failing[0], `${failing[0]?.name ?? ''} on ${failing[0]?.dataset ?? ''}`, 'critical', ada, 20);
    if (first) {
      setLead(doc, first, grace, ada, opts(19));
      setStatus(doc, first, 'investigating', grace, opts(18));
      if (failing[1])
        linkResult(doc, first, { resultId: failing[1].lastResultId, checkId: failing[1].id }, grace, opts(17));
    }
    const second = open(
      failing[2] ?? failing[1],
      `${(failing[2] ?? failing[1])?.name ?? ''} failing`,
      'major',
      ravi,
      6
    );
    if (second) {
      setLead(doc, second, ravi, ravi, opts(5));
      setStatus(doc, second, 'fixing', ravi, opts(3));
    }
    const third = open(
      warning[0],
      `${warning[0]?.name ?? ''} warning on ${warning[0]?.dataset ?? ''}`,
      'minor',
      grace,
      30
    );
    if (third) {
      setLead(doc, third, ada, grace, opts(29));
      setStatus(doc, third, 'resolved', ada, {
        ...opts(26),
        resolutionNotes: 'Upstream job re-ran; values back within thresholds.'
      });
    }
  });
}
