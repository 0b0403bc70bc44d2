// Per-minute request quotas, as the Sheets API enforces them: read and write requests are
// counted separately, per user and per project (Google's defaults: 60 per minute per user,
// 300 per minute per project, for each). Time comes from an injected clock.
//
// Google says its quotas are "refilled every minute". The emulator uses a sliding 60 s window,
// which is the stricter reading: a client that stays under it also stays under a fixed window.

import { ApiError, SpecError } from './errors.js';

export type RequestKind = 'read' | 'write';

export interface QuotaLimits {
  readsPerUser: number;
  readsPerProject: number;
  writesPerUser: number;
  writesPerProject: number;
  windowMs: number;
}

export const DEFAULT_QUOTAS: Readonly<QuotaLimits> = Object.freeze({ readsPerUser: 60, readsPerProject: 300, writesPerUser: 60, writesPerProject: 300, windowMs: 60_000 });

/** The emulated Cloud project number, as it appears in Google's quota messages. */
export const PROJECT_NUMBER = '123456789012';

export interface QuotaViolation {
  kind: RequestKind;
  scope: 'user' | 'project';
  limit: number;
}

/** Google's 429 body for an exhausted quota, word for word in its message and ErrorInfo. */
export function quotaExceededError(kind: RequestKind, scope: 'user' | 'project', limit: number): ApiError {
  const metric = kind === 'read' ? 'Read requests' : 'Write requests';
  const limitName = scope === 'user' ? `${metric} per minute per user` : `${metric} per minute`;
  const limitId = `${kind === 'read' ? 'Read' : 'Write'}RequestsPerMinutePer${scope === 'user' ? 'User' : 'Project'}`;
  const message = `Quota exceeded for quota metric '${metric}' and limit '${limitName}' of service 'sheets.googleapis.com' for consumer 'project_number:${PROJECT_NUMBER}'.`;
  const details = [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'RATE_LIMIT_EXCEEDED',
      domain: 'googleapis.com',
      metadata: {
        quota_limit: limitId,
        quota_limit_value: String(limit),
        quota_location: 'global',
        quota_metric: `sheets.googleapis.com/${kind}_requests`,
        quota_unit: scope === 'user' ? '1/min/{project}/{user}' : '1/min/{project}',
        consumer: `projects/${PROJECT_NUMBER}`,
        service: 'sheets.googleapis.com',
      },
    },
    {
      '@type': 'type.googleapis.com/google.rpc.Help',
      links: [{ description: 'Request a higher quota limit.', url: 'https://cloud.google.com/docs/quotas/help/request_increase' }],
    },
  ];
  return new ApiError(429, 'RESOURCE_EXHAUSTED', message, details);
}

export class QuotaTracker {
  /** Timestamps of counted requests per key ("write:user:<subject>", "write:project"). */
  private readonly windows = new Map<string, number[]>();

  constructor(private limits: QuotaLimits) {}

  setLimits(limits: QuotaLimits): void {
    this.limits = limits;
  }

  private recent(key: string, now: number): number[] {
    const cutoff = now - this.limits.windowMs;
    const kept = (this.windows.get(key) ?? []).filter((t) => t > cutoff);
    this.windows.set(key, kept);
    return kept;
  }

  /** Counts one request; returns the violated limit (and counts nothing) when over quota. */
  take(kind: RequestKind, user: string, now: number): QuotaViolation | undefined {
    const userLimit = kind === 'read' ? this.limits.readsPerUser : this.limits.writesPerUser;
    const projectLimit = kind === 'read' ? this.limits.readsPerProject : this.limits.writesPerProject;
    const userWindow = this.recent(`${kind}:user:${user}`, now);
    const projectWindow = this.recent(`${kind}:project`, now);
    if (userWindow.length >= userLimit) return { kind, scope: 'user', limit: userLimit };
    if (projectWindow.length >= projectLimit) return { kind, scope: 'project', limit: projectLimit };
    userWindow.push(now);
    projectWindow.push(now);
    return undefined;
  }

  /** How many requests of a kind the user has left in the current window (for tests and state). */
  remaining(kind: RequestKind, user: string, now: number): number {
    const userLimit = kind === 'read' ? this.limits.readsPerUser : this.limits.writesPerUser;
    return Math.max(0, userLimit - this.recent(`${kind}:user:${user}`, now).length);
  }

  reset(): void {
    this.windows.clear();
  }
}

/** Parses "writes-per-user=60,writes-per-project=300,reads-per-user=60,reads-per-project=300,window-ms=60000". */
export function parseQuotaSpec(spec: string, base: QuotaLimits = DEFAULT_QUOTAS): QuotaLimits {
  const keys: Record<string, keyof QuotaLimits> = {
    'reads-per-user': 'readsPerUser',
    'reads-per-project': 'readsPerProject',
    'writes-per-user': 'writesPerUser',
    'writes-per-project': 'writesPerProject',
    'window-ms': 'windowMs',
  };
  const out = { ...base };
  for (const entry of spec.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [name = '', value = ''] = entry.split('=');
    const key = keys[name];
    const n = Number(value);
    if (!key || !Number.isInteger(n) || n < 1) throw new SpecError(`bad quota entry "${entry}" (expected one of ${Object.keys(keys).join(', ')} = positive integer)`);
    out[key] = n;
  }
  return out;
}
