export { createAllInOne, type AllInOne, type AllInOneOverrides } from './app.js';
export { loadAllInOneOptions, SERVICE_NAMES, INTERNAL_TRANSPORTS, type ServiceName, type AllInOneOptions, type SwitchyardFile, type InternalTransport } from './config.js';
