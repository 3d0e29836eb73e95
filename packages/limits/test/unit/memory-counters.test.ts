import { MemoryCounterDriver } from '../../src/index.js';
import { counterContract } from '../contract.js';

counterContract('memory', () => {
  const driver = new MemoryCounterDriver();
  return { driver: () => driver, lose: async () => driver.clear() };
});
