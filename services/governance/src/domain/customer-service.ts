import { SwitchyardError } from '@switchyard/errors';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { CustomerRecord } from './entities.js';
import { newEntityId } from './ids.js';
import type { CustomerStore, PolicyPublisher } from './ports.js';
import { validateId, validateName, validatePageSize } from './validation.js';

export interface EntityServiceDeps<S> {
  store: S;
  publisher: PolicyPublisher;
  now?: () => Date;
}

export interface Page<T> {
  items: T[];
  nextCursor: string;
}

/** One page from rows fetched with `limit + 1`. */
export function toPage<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : '' };
}

export function pageQuery(limit: number, cursor: string): { limit: number; after: ReturnType<typeof decodeCursor> | undefined; size: number } {
  const size = validatePageSize(limit);
  return { limit: size + 1, after: cursor === '' ? undefined : decodeCursor(cursor), size };
}

export function wholeMillis(date: Date): Date {
  return new Date(date.getTime());
}

function notFound(id: string): SwitchyardError {
  return new SwitchyardError('not_found', `no customer with id "${id}"`, { param: 'id', code: 'customer_not_found' });
}

/** Customers: the top of the chain. Every committed change publishes PolicyChanged `customer`. */
export class CustomerService {
  private readonly now: () => Date;

  constructor(private readonly deps: EntityServiceDeps<CustomerStore>) {
    this.now = deps.now ?? (() => new Date());
  }

  async create(name: string): Promise<CustomerRecord> {
    const now = wholeMillis(this.now());
    const customer: CustomerRecord = { id: newEntityId('cu', now), name: validateName(name), toolGroups: [], createdAt: now, updatedAt: now };
    await this.deps.store.insert(customer);
    this.deps.publisher.publish({ kind: 'customer', id: customer.id });
    return customer;
  }

  async list(limit: number, cursor: string): Promise<Page<CustomerRecord>> {
    const q = pageQuery(limit, cursor);
    return toPage(await this.deps.store.list({ limit: q.limit, after: q.after }), q.size);
  }

  async get(id: string): Promise<CustomerRecord> {
    const customer = await this.deps.store.findById(validateId(id));
    if (!customer) throw notFound(id);
    return customer;
  }

  async update(id: string, name: string | undefined): Promise<CustomerRecord> {
    validateId(id);
    if (name === undefined) return this.get(id);
    const customer = await this.deps.store.rename(id, validateName(name), wholeMillis(this.now()));
    if (!customer) throw notFound(id);
    this.deps.publisher.publish({ kind: 'customer', id });
    return customer;
  }

  async delete(id: string): Promise<void> {
    const outcome = await this.deps.store.delete(validateId(id));
    if (outcome === 'not_found') throw notFound(id);
    if (outcome === 'in_use') {
      throw new SwitchyardError('conflict', `customer "${id}" still has teams or keys: move or delete them first`, { param: 'id', code: 'customer_in_use' });
    }
    this.deps.publisher.publish({ kind: 'customer', id });
  }
}
