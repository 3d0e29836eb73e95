import { create, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';

/** `value` as a message of `schema`: as is when it already is one (no copy), else created. */
export function toMessage<D extends DescMessage>(schema: D, value: MessageInitShape<D>): MessageShape<D> {
  if (typeof value === 'object' && value !== null && '$typeName' in value && value.$typeName === schema.typeName) {
    return value as MessageShape<D>;
  }
  return create(schema, value);
}
