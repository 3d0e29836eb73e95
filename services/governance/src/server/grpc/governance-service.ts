import type { Histogram, Logger } from '@switchyard/obs';
import { governance, implementService, instrumentHandler, type ServiceBinding } from '@switchyard/proto';
import type { KeyService, LimitsService, UsageLedger } from '../../domain/index.js';
import { limitHandlers } from './limits.js';
import { createKey } from './create-key.js';
import { deleteKey } from './delete-key.js';
import { getAuthState } from './get-auth-state.js';
import { getKey } from './get-key.js';
import { listKeys } from './list-keys.js';
import { lookupKey } from './lookup-key.js';
import { updateKey } from './update-key.js';

export interface GovernanceServiceDeps {
  keys: KeyService;
  limits: LimitsService;
  ledger: UsageLedger;
  logger: Logger;
  /** `switchyard_governance_rpc_seconds{rpc,outcome}`; outcome is `ok` or the error kind. */
  rpcSeconds: Histogram<'rpc' | 'outcome'>;
}


/** GovernanceService bound to the key use cases, one file per RPC. */
export function governanceServiceBinding(deps: GovernanceServiceDeps): ServiceBinding {
  const { keys } = deps;
  const l = limitHandlers(deps.limits, deps.ledger);
  return {
    service: governance.GovernanceService,
    implementation: implementService(governance.GovernanceService, {
      lookupKey: instrumentHandler('LookupKey', lookupKey(keys, deps.limits), deps),
      getAuthState: instrumentHandler('GetAuthState', getAuthState(keys), deps),
      createKey: instrumentHandler('CreateKey', createKey(keys), deps),
      listKeys: instrumentHandler('ListKeys', listKeys(keys), deps),
      getKey: instrumentHandler('GetKey', getKey(keys), deps),
      updateKey: instrumentHandler('UpdateKey', updateKey(keys), deps),
      deleteKey: instrumentHandler('DeleteKey', deleteKey(keys), deps),
      createBudget: instrumentHandler('CreateBudget', l.createBudget, deps),
      listBudgets: instrumentHandler('ListBudgets', l.listBudgets, deps),
      updateBudget: instrumentHandler('UpdateBudget', l.updateBudget, deps),
      deleteBudget: instrumentHandler('DeleteBudget', l.deleteBudget, deps),
      createRateLimit: instrumentHandler('CreateRateLimit', l.createRateLimit, deps),
      listRateLimits: instrumentHandler('ListRateLimits', l.listRateLimits, deps),
      updateRateLimit: instrumentHandler('UpdateRateLimit', l.updateRateLimit, deps),
      deleteRateLimit: instrumentHandler('DeleteRateLimit', l.deleteRateLimit, deps),
      getBudgetSpend: instrumentHandler('GetBudgetSpend', l.getBudgetSpend, deps),
      queryUsage: instrumentHandler('QueryUsage', l.queryUsage, deps),
    }),
  };
}
