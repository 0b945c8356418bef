import { above, atMost, below, notEqual, outside, type Columns, type Zone } from './soda-format.ts';

/**
 * The demo workspace: five daily scan definitions over three data sources, 36 checks, with a
 * story in the last days (orders losing emails, events going stale today, a payments duplicate
 * spike, an errored customers check) so every dashboard has something to show.
 *
 * A series maps a day (0 = 13 days ago … 13 = today) and a seeded random source to the value.
 */
export type Series = (day: number, rnd: () => number) => number;

export interface DemoCheck {
  line: string;
  column?: string;
  name?: string;
  config?: string[];
  /** Soda metric name (`row_count`, `missing_count`, …) for the scan's `metrics`. */
  metric: string;
  fail?: Zone;
  warn?: Zone;
  series?: Series;
  /** freshness: series in ms; schema: `schemaEvents`; anomaly: zones around `series`' expectation. */
  kind?: 'freshness' | 'schema' | 'anomaly';
  /** Attach a failedRowsAnalysis block when the check does not pass. */
  failedRows?: boolean;
  /** Integer metric (counts) rather than a measurement. */
  integer?: boolean;
  /** Schema change events from a given day on. */
  schemaEvents?: { fromDay: number; column: string; event: string; details?: string; outcome: 'warn' | 'fail' };
  /** Days on which the check cannot be evaluated, with the error Soda logs. */
  errorOn?: { day: number; query: string; message: string };
  attributes?: Record<string, unknown>;
}

export interface DemoDataset {
  definition: string;
  dataSource: string;
  table: string;
  /** How long before `now` today's scan measured the data, so the newest scan sits just before now. */
  minutesBeforeNow: number;
  columns: Columns;
  checks: DemoCheck[];
}

const HOUR = 3_600_000;
const TODAY = 13;
const weekend = (day: number) => day % 7 === 5 || day % 7 === 6;
const jitter = (rnd: () => number, spread: number) => (rnd() * 2 - 1) * spread;
/** 0 before `from`, then rising linearly to 1 at today. */
const ramp = (day: number, from: number) => (day < from ? 0 : (day - from + 1) / (TODAY - from + 1));

export const DEMO_DATASETS: DemoDataset[] = [
  {
    definition: 'orders_daily',
    dataSource: 'postgres',
    table: 'orders',
    minutesBeforeNow: 52,
    columns: [
      ['id', 'int4'],
      ['customer_id', 'int4'],
      ['email', 'varchar'],
      ['amount', 'numeric'],
      ['currency', 'varchar'],
      ['status', 'varchar'],
      ['created_at', 'timestamptz']
    ],
    checks: [
      {
        line: 'row_count > 0',
        metric: 'row_count',
        fail: atMost(0),
        integer: true,
        series: (d, r) => (weekend(d) ? 920 : 1350) + jitter(r, 120)
      },
      {
        line: 'row_count',
        name: 'Orders volume',
        config: ['warn: when < 1000', 'fail: when = 0'],
        metric: 'row_count',
        fail: { greaterThanOrEqual: 0, lessThanOrEqual: 0 },
        warn: below(1000),
        integer: true,
        series: (d, r) => (weekend(d) ? 920 : 1350) + jitter(r, 120)
      },
      {
        line: 'missing_count(email)',
        column: 'email',
        name: 'Orders without email',
        config: ['warn: when > 5', 'fail: when > 20'],
        metric: 'missing_count',
        fail: above(20),
        warn: above(5),
        failedRows: true,
        integer: true,
        attributes: { priority: 1, department: 'sales' },
        series: (d, r) => (d < 9 ? r() * 3 : 3 + ramp(d, 9) * 28 + jitter(r, 2))
      },
      {
        line: 'duplicate_count(id) = 0',
        column: 'id',
        metric: 'duplicate_count',
        fail: notEqual(0),
        failedRows: true,
        integer: true,
        series: () => 0
      },
      {
        line: 'invalid_percent(status) < 1 %',
        column: 'status',
        config: ["valid values: ['pending', 'paid', 'shipped', 'refunded']"],
        metric: 'invalid_percent',
        fail: { greaterThanOrEqual: 1 },
        failedRows: true,
        series: (_d, r) => 0.1 + r() * 0.4
      },
      {
        line: 'invalid_count(currency) = 0',
        column: 'currency',
        config: ["valid values: ['EUR', 'USD', 'GBP']"],
        metric: 'invalid_count',
        fail: notEqual(0),
        failedRows: true,
        integer: true,
        series: (d) => (d === 4 ? 2 : 0)
      },
      {
        line: 'avg(amount) between 40 and 120',
        column: 'amount',
        metric: 'avg',
        fail: outside(40, 120),
        series: (d, r) => 74 + d * 0.6 + jitter(r, 6)
      },
      {
        line: 'min(amount) >= 0',
        column: 'amount',
        metric: 'min',
        fail: below(0),
        series: (_d, r) => Math.floor(r() * 3)
      },
      {
        line: 'max(amount)',
        column: 'amount',
        config: ['warn: when > 5000', 'fail: when > 20000'],
        metric: 'max',
        fail: above(20000),
        warn: above(5000),
        series: (d, r) => (d === 7 ? 6420 : 2200 + r() * 1800)
      },
      {
        line: 'freshness(created_at) < 1d',
        column: 'created_at',
        metric: 'freshness',
        kind: 'freshness',
        fail: above(24 * HOUR),
        series: (_d, r) => HOUR * (0.2 + r() * 2)
      },
      {
        line: 'schema',
        name: 'Orders schema',
        config: [
          'fail:',
          '  when required column missing: [id, customer_id, amount]',
          '  when wrong column type:',
          '    amount: numeric'
        ],
        metric: 'schema',
        kind: 'schema'
      }
    ]
  },
  {
    definition: 'customers_nightly',
    dataSource: 'postgres',
    table: 'customers',
    minutesBeforeNow: 300,
    columns: [
      ['customer_id', 'int4'],
      ['email', 'varchar'],
      ['phone_number', 'varchar'],
      ['country', 'varchar'],
      ['updated_at', 'timestamptz']
    ],
    checks: [
      {
        line: 'row_count > 10000',
        metric: 'row_count',
        fail: atMost(10000),
        integer: true,
        series: (d, r) => 12100 + d * 35 + jitter(r, 20)
      },
      {
        line: 'duplicate_count(customer_id) = 0',
        column: 'customer_id',
        name: 'No duplicate customer ids',
        metric: 'duplicate_count',
        fail: notEqual(0),
        failedRows: true,
        integer: true,
        series: () => 0
      },
      {
        line: 'missing_percent(country)',
        column: 'country',
        config: ['warn: when > 1 %', 'fail: when > 5 %'],
        metric: 'missing_percent',
        fail: above(5),
        warn: above(1),
        series: (d, r) => 0.4 + ramp(d, 10) * 1.6 + r() * 0.2
      },
      {
        line: 'invalid_percent(phone) < 5 %',
        column: 'phone',
        config: ['valid format: phone number'],
        metric: 'invalid_percent',
        fail: { greaterThanOrEqual: 5 },
        series: (_d, r) => 1.5 + r(),
        // The column was renamed to phone_number upstream: today's scan cannot evaluate the check.
        errorOn: {
          day: TODAY,
          query: 'postgres.customers.phone.aggregation[0]',
          message: 'column "phone" does not exist'
        }
      },
      {
        line: 'invalid_count(email) = 0',
        column: 'email',
        config: ['valid format: email'],
        metric: 'invalid_count',
        fail: notEqual(0),
        failedRows: true,
        integer: true,
        series: (d) => (d === 2 || d === 3 ? 1 : 0)
      },
      {
        line: 'freshness(updated_at) < 2d',
        column: 'updated_at',
        metric: 'freshness',
        kind: 'freshness',
        fail: above(48 * HOUR),
        series: (_d, r) => HOUR * (5 + r() * 3)
      },
      {
        line: 'schema',
        name: 'No PII columns',
        config: ['warn:', '  when forbidden column present: [ssn, passport_number]'],
        metric: 'schema',
        kind: 'schema'
      }
    ]
  },
  {
    definition: 'events_daily',
    dataSource: 'snowflake',
    table: 'events',
    minutesBeforeNow: 25,
    columns: [
      ['EVENT_ID', 'VARCHAR'],
      ['USER_ID', 'VARCHAR'],
      ['EVENT_NAME', 'VARCHAR'],
      ['EVENT_TIME', 'TIMESTAMP_NTZ'],
      ['PAYLOAD', 'VARIANT']
    ],
    checks: [
      {
        line: 'anomaly detection for row_count',
        metric: 'row_count',
        kind: 'anomaly',
        integer: true,
        series: (d, r) => (d === TODAY ? 182_000 : 410_000 + d * 2500 + jitter(r, 15_000))
      },
      {
        line: 'freshness(event_time)',
        column: 'event_time',
        name: 'Events freshness',
        config: ['warn: when > 3h', 'fail: when > 6h'],
        metric: 'freshness',
        kind: 'freshness',
        fail: above(6 * HOUR),
        warn: above(3 * HOUR),
        series: (d, r) => (d === TODAY ? 27.5 * HOUR : d === TODAY - 1 ? 3.4 * HOUR : HOUR * (0.3 + r() * 1.5))
      },
      {
        line: 'missing_count(user_id) < 500',
        column: 'user_id',
        metric: 'missing_count',
        fail: { greaterThanOrEqual: 500 },
        failedRows: true,
        integer: true,
        series: (_d, r) => 120 + r() * 180
      },
      {
        line: 'duplicate_count(event_id) = 0',
        column: 'event_id',
        metric: 'duplicate_count',
        fail: notEqual(0),
        failedRows: true,
        integer: true,
        series: () => 0
      },
      {
        line: 'invalid_percent(event_name)',
        column: 'event_name',
        config: [
          "valid values: ['page_view', 'click', 'signup', 'purchase', 'logout']",
          'warn: when > 0.5 %',
          'fail: when >= 2 %'
        ],
        metric: 'invalid_percent',
        fail: { greaterThanOrEqual: 2 },
        warn: above(0.5),
        failedRows: true,
        series: (d, r) => (d >= 11 ? 0.6 + r() * 0.5 : r() * 0.3)
      },
      {
        line: 'schema',
        name: 'Events schema',
        config: ['warn:', '  when schema changes: any'],
        metric: 'schema',
        kind: 'schema',
        schemaEvents: { fromDay: 12, column: 'REFERRER_URL', event: 'Column Added', outcome: 'warn' }
      }
    ]
  },
  {
    definition: 'payments_daily',
    dataSource: 'snowflake',
    table: 'payments',
    minutesBeforeNow: 40,
    columns: [
      ['PAYMENT_ID', 'VARCHAR'],
      ['ORDER_ID', 'NUMBER'],
      ['PAYMENT_METHOD', 'VARCHAR'],
      ['AMOUNT', 'NUMBER'],
      ['CURRENCY', 'VARCHAR'],
      ['PAID_AT', 'TIMESTAMP_TZ']
    ],
    checks: [
      {
        line: 'row_count > 0',
        metric: 'row_count',
        fail: atMost(0),
        integer: true,
        series: (d, r) => (weekend(d) ? 880 : 1290) + jitter(r, 110)
      },
      {
        line: 'duplicate_count(payment_id) = 0',
        column: 'payment_id',
        name: 'Unique payment ids',
        metric: 'duplicate_count',
        fail: notEqual(0),
        failedRows: true,
        integer: true,
        attributes: { priority: 1, department: 'finance' },
        series: (d) => (d === TODAY ? 112 : d === TODAY - 1 ? 37 : 0)
      },
      {
        line: 'missing_count(payment_method) = 0',
        column: 'payment_method',
        metric: 'missing_count',
        fail: notEqual(0),
        failedRows: true,
        integer: true,
        series: (d) => (d === 6 ? 3 : 0)
      },
      {
        line: 'min(amount) > 0',
        column: 'amount',
        metric: 'min',
        fail: atMost(0),
        series: (_d, r) => 0.5 + Math.floor(r() * 4)
      },
      {
        line: 'max(amount) < 50000',
        column: 'amount',
        metric: 'max',
        fail: { greaterThanOrEqual: 50000 },
        series: (_d, r) => 8000 + r() * 9000
      },
      {
        line: 'invalid_percent(currency) < 0.5 %',
        column: 'currency',
        config: ["valid values: ['EUR', 'USD', 'GBP']"],
        metric: 'invalid_percent',
        fail: { greaterThanOrEqual: 0.5 },
        failedRows: true,
        series: (_d, r) => r() * 0.2
      },
      {
        line: 'anomaly detection for avg(amount)',
        column: 'amount',
        metric: 'avg',
        kind: 'anomaly',
        series: (d, r) => 68 + d * 0.3 + jitter(r, 3)
      },
      {
        line: 'freshness(paid_at) < 1d',
        column: 'paid_at',
        metric: 'freshness',
        kind: 'freshness',
        fail: above(24 * HOUR),
        series: (_d, r) => HOUR * (0.5 + r() * 2)
      }
    ]
  },
  {
    definition: 'sessions_daily',
    dataSource: 'bigquery',
    table: 'sessions',
    minutesBeforeNow: 95,
    columns: [
      ['session_id', 'STRING'],
      ['user_id', 'STRING'],
      ['device', 'STRING'],
      ['duration_seconds', 'INT64'],
      ['pages_viewed', 'INT64'],
      ['session_start', 'TIMESTAMP']
    ],
    checks: [
      {
        line: 'row_count between 50000 and 500000',
        metric: 'row_count',
        fail: outside(50000, 500000),
        integer: true,
        series: (d, r) => (weekend(d) ? 98_000 : 131_000) + jitter(r, 9000)
      },
      {
        line: 'avg(duration_seconds)',
        column: 'duration_seconds',
        name: 'Average session length',
        config: ['warn: when not between 60 and 600', 'fail: when not between 30 and 900'],
        metric: 'avg',
        fail: outside(30, 900),
        warn: outside(60, 600),
        series: (d, r) => 410 + ramp(d, 8) * 260 + jitter(r, 20)
      },
      {
        line: 'missing_percent(device) < 2 %',
        column: 'device',
        metric: 'missing_percent',
        fail: { greaterThanOrEqual: 2 },
        series: (_d, r) => 0.3 + r() * 0.6
      },
      {
        line: 'max(pages_viewed)',
        column: 'pages_viewed',
        config: ['warn: when > 200', 'fail: when > 500'],
        metric: 'max',
        fail: above(500),
        warn: above(200),
        integer: true,
        series: (d, r) => (d === 9 ? 236 : 90 + r() * 70)
      },
      {
        line: 'duplicate_count(session_id) = 0',
        column: 'session_id',
        metric: 'duplicate_count',
        fail: notEqual(0),
        failedRows: true,
        integer: true,
        series: () => 0
      },
      {
        line: 'freshness(session_start) < 1d',
        column: 'session_start',
        metric: 'freshness',
        kind: 'freshness',
        fail: above(24 * HOUR),
        series: (_d, r) => HOUR * (2 + r() * 6)
      }
    ]
  }
];
