import type { UnaryHandler, governance } from '@switchyard/proto';
import type { CustomerService } from '../../domain/index.js';
import { toWireCustomer } from './wire.js';

type S = typeof governance;

/** The customer RPCs (one handler each). */
export function customerHandlers(customers: CustomerService): {
  createCustomer: UnaryHandler<S['CreateCustomerRequestSchema'], S['CreateCustomerResponseSchema']>;
  listCustomers: UnaryHandler<S['ListCustomersRequestSchema'], S['ListCustomersResponseSchema']>;
  getCustomer: UnaryHandler<S['GetCustomerRequestSchema'], S['GetCustomerResponseSchema']>;
  updateCustomer: UnaryHandler<S['UpdateCustomerRequestSchema'], S['UpdateCustomerResponseSchema']>;
  deleteCustomer: UnaryHandler<S['DeleteCustomerRequestSchema'], S['DeleteCustomerResponseSchema']>;
} {
  return {
    createCustomer: async (r) => ({ customer: toWireCustomer(await customers.create(r.name)) }),
    listCustomers: async (r) => {
      const page = await customers.list(r.limit, r.cursor);
      return { customers: page.items.map(toWireCustomer), nextCursor: page.nextCursor };
    },
    getCustomer: async (r) => ({ customer: toWireCustomer(await customers.get(r.id)) }),
    updateCustomer: async (r) => ({ customer: toWireCustomer(await customers.update(r.id, r.name)) }),
    deleteCustomer: async (r) => {
      await customers.delete(r.id);
      return {};
    },
  };
}
