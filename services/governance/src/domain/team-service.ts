import { SwitchyardError } from '@switchyard/errors';
import { pageQuery, toPage, wholeMillis, type EntityServiceDeps, type Page } from './customer-service.js';
import type { NewTeamInput, TeamRecord } from './entities.js';
import { newEntityId } from './ids.js';
import type { CustomerStore, TeamStore } from './ports.js';
import { validateId, validateName } from './validation.js';

export interface TeamServiceDeps extends EntityServiceDeps<TeamStore> {
  customers: Pick<CustomerStore, 'findById'>;
}

function notFound(id: string): SwitchyardError {
  return new SwitchyardError('not_found', `no team with id "${id}"`, { param: 'id', code: 'team_not_found' });
}

/** Teams: under at most one customer. Every committed change publishes PolicyChanged `team`. */
export class TeamService {
  private readonly now: () => Date;

  constructor(private readonly deps: TeamServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  private async checkCustomer(customerId: string): Promise<void> {
    if (!(await this.deps.customers.findById(customerId))) {
      throw new SwitchyardError('invalid_argument', `no customer with id "${customerId}"`, { param: 'customer_id', code: 'customer_not_found' });
    }
  }

  async create(input: NewTeamInput): Promise<TeamRecord> {
    const now = wholeMillis(this.now());
    const name = validateName(input.name);
    if (input.customerId !== undefined) await this.checkCustomer(input.customerId);
    const team: TeamRecord = { id: newEntityId('tm', now), name, customerId: input.customerId, toolGroups: [], createdAt: now, updatedAt: now };
    await this.deps.store.insert(team);
    this.deps.publisher.publish({ kind: 'team', id: team.id });
    return team;
  }

  async list(limit: number, cursor: string, customerId: string | undefined): Promise<Page<TeamRecord>> {
    const q = pageQuery(limit, cursor);
    return toPage(await this.deps.store.list({ limit: q.limit, after: q.after, customerId }), q.size);
  }

  async get(id: string): Promise<TeamRecord> {
    const team = await this.deps.store.findById(validateId(id));
    if (!team) throw notFound(id);
    return team;
  }

  /** `customerId`: "" moves the team out of its customer; undefined leaves it. */
  async update(id: string, patch: { name?: string | undefined; customerId?: string | undefined }): Promise<TeamRecord> {
    validateId(id);
    const name = patch.name === undefined ? undefined : validateName(patch.name);
    if (patch.customerId) await this.checkCustomer(patch.customerId);
    const team = await this.deps.store.update(id, {
      ...(name !== undefined ? { name } : {}),
      ...(patch.customerId !== undefined ? { customerId: patch.customerId === '' ? null : patch.customerId } : {}),
    }, wholeMillis(this.now()));
    if (!team) throw notFound(id);
    this.deps.publisher.publish({ kind: 'team', id });
    return team;
  }

  async delete(id: string): Promise<void> {
    const outcome = await this.deps.store.delete(validateId(id));
    if (outcome === 'not_found') throw notFound(id);
    if (outcome === 'in_use') throw new SwitchyardError('conflict', `team "${id}" still has keys: move or delete them first`, { param: 'id', code: 'team_in_use' });
    this.deps.publisher.publish({ kind: 'team', id });
  }
}
