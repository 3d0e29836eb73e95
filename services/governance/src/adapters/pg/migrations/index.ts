import type { Migration } from '@switchyard/db';
import { virtualKeys } from './0001-virtual-keys.js';
import { customersTeamsGroups } from './0002-customers-teams-groups.js';
import { budgetsRateLimitsUsage } from './0003-budgets-rate-limits-usage.js';

/** Governance migrations, applied in name order; never edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '0001_virtual_keys': virtualKeys,
  '0002_customers_teams_groups': customersTeamsGroups,
  '0003_budgets_rate_limits_usage': budgetsRateLimitsUsage,
};
