export { create, toBinary, fromBinary, toJson, fromJson } from '@bufbuild/protobuf';
export { timestampFromDate, timestampDate } from '@bufbuild/protobuf/wkt';
