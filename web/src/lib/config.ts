import { api } from './api.ts';

export interface AppConfig {
  workspaceId: string;
}

const CONFIG_KEY = 'firebreak:config';

/** The config of the last successful start, so the app starts offline. */
export function cachedConfig(): AppConfig | null {
  try {
    const v = JSON.parse(localStorage.getItem(CONFIG_KEY) ?? 'null') as Partial<AppConfig> | null;
    return v && typeof v.workspaceId === 'string' && v.workspaceId ? { workspaceId: v.workspaceId } : null;
  } catch {
    return null;
  }
}

export async function fetchConfig(): Promise<AppConfig> {
  const config = await api.get<AppConfig>('/api/v1/config');
  localStorage.setItem(CONFIG_KEY, JSON.stringify({ workspaceId: config.workspaceId }));
  return config;
}
