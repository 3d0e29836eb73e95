import type { Histogram, Logger } from '@switchyard/obs';
import { governance, implementService, instrumentHandler, type ServiceBinding } from '@switchyard/proto';
import type { CustomerService, KeyService, LimitsService, TeamService, ToolGroupService, UsageLedger } from '../../domain/index.js';
import { customerHandlers } from './customers.js';
import { teamHandlers } from './teams.js';
import { toolGroupHandlers } from './tool-groups.js';
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
  customers: CustomerService;
  teams: TeamService;
  toolGroups: ToolGroupService;
  limits: LimitsService;
  ledger: UsageLedger;
  logger: Logger;
  /** `switchyard_governance_rpc_seconds{rpc,outcome}`; outcome is `ok` or the error kind. */
  rpcSeconds: Histogram<'rpc' | 'outcome'>;
}

function instrumentAll<T extends Record<string, unknown>>(handlers: T, deps: GovernanceServiceDeps): T {
  const out: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    const rpc = name.charAt(0).toUpperCase() + name.slice(1);
    out[name] = instrumentHandler(rpc, handler as Parameters<typeof instrumentHandler>[1], deps);
  }
  return out as T;
}

/** GovernanceService bound to the use cases: one file per key RPC, one per entity for the others. */
export function governanceServiceBinding(deps: GovernanceServiceDeps): ServiceBinding {
  const { keys } = deps;
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
      ...instrumentAll(customerHandlers(deps.customers), deps),
      ...instrumentAll(teamHandlers(deps.teams), deps),
      ...instrumentAll(toolGroupHandlers(deps.toolGroups), deps),
      ...instrumentAll(limitHandlers(deps.limits, deps.ledger), deps),
    }),
  };
}
