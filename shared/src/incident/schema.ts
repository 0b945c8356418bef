import { z } from 'zod';
import { RESOLUTION_REASONS, SEVERITIES, STATUSES } from '../vocab.ts';

export const SeveritySchema = z.enum(SEVERITIES);
export const StatusSchema = z.enum(STATUSES);
export const ResolutionReasonSchema = z.enum(RESOLUTION_REASONS);

export const TimelineKind = z.enum([
  'created',
  'title',
  'severity',
  'status',
  'lead',
  'description',
  'linked',
  'unlinked'
]);
export type TimelineKind = z.infer<typeof TimelineKind>;

/** One entry of an incident's append-only history: who did what, when. */
export const TimelineEventSchema = z.object({
  id: z.string(),
  at: z.string(),
  by: z.string(),
  kind: TimelineKind,
  from: z.unknown().optional(),
  to: z.unknown().optional(),
  /** On a move to Resolved: the resolution notes and reason as they were then (kept after a reopen). */
  notes: z.string().optional(),
  reason: z.string().optional()
});
export type TimelineEvent = z.infer<typeof TimelineEventSchema>;

/** A check result linked to an incident (the value stored under its result id). */
export const LinkedResultSchema = z.object({
  checkId: z.string(),
  linkedAt: z.string(),
  linkedBy: z.string()
});
export type LinkedResult = z.infer<typeof LinkedResultSchema>;

/** What a browser may submit to create an incident. */
export const IncidentCreateSchema = z.object({
  id: z.string().min(1).optional(),
  title: z.string().trim().min(1, 'Title is required').max(300),
  severity: SeveritySchema,
  description: z.string().max(100_000).default(''),
  leadId: z.string().nullable().default(null),
  /** The result (and its check) the incident is opened for; more can be linked later. */
  results: z.array(z.object({ resultId: z.string(), checkId: z.string() })).default([])
});
export type IncidentCreate = z.input<typeof IncidentCreateSchema>;

/** A plain snapshot of one incident, read from the workspace document. */
export const IncidentSchema = z.object({
  id: z.string(),
  title: z.string(),
  severity: SeveritySchema,
  status: StatusSchema,
  leadId: z.string().nullable(),
  reporterId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
  description: z.string(),
  resolutionNotes: z.string(),
  /** Why it was resolved; kept, like the notes, after a reopen. Absent on incidents from before reasons. */
  resolutionReason: ResolutionReasonSchema.nullable().optional(),
  results: z.array(LinkedResultSchema.extend({ resultId: z.string() })),
  timeline: z.array(TimelineEventSchema)
});
export type Incident = z.infer<typeof IncidentSchema>;

/** The scalar fields a dashboard row shows, checked the same way as the whole incident. */
export const IncidentSummaryFieldsSchema = IncidentSchema.pick({
  title: true,
  severity: true,
  status: true,
  leadId: true,
  reporterId: true,
  createdAt: true,
  resolvedAt: true
});
