import { type DescEnum, type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';
import { file_wirebench_v1_feed } from '../../schemas/gen/wirebench/v1/feed_pb.js';

/**
 * The proto contract read through protobuf-es reflection, for the drift
 * checkers. Both the GraphQL and the OpenAPI checker derive what they expect
 * from here, so "what the proto says" is decided once.
 */
export const PROTO_FILE = file_wirebench_v1_feed;
export const TIMESTAMP_TYPE = 'google.protobuf.Timestamp';

/** Every method of every service in the contract (FeedService, TopicService). */
export const CONTRACT_METHODS = PROTO_FILE.services.flatMap((service) => service.methods);

/** What one value of a field is: the list element for repeated fields, else the field itself. */
export type FieldElement =
  | { readonly kind: 'scalar'; readonly scalar: ScalarType }
  | { readonly kind: 'enum'; readonly desc: DescEnum }
  | { readonly kind: 'message'; readonly desc: DescMessage };

export function fieldElement(field: DescField): FieldElement {
  switch (field.fieldKind) {
    case 'scalar':
      return { kind: 'scalar', scalar: field.scalar };
    case 'enum':
      return { kind: 'enum', desc: field.enum };
    case 'message':
      return { kind: 'message', desc: field.message };
    case 'list':
      if (field.listKind === 'scalar') return { kind: 'scalar', scalar: field.scalar };
      if (field.listKind === 'enum') return { kind: 'enum', desc: field.enum };
      return { kind: 'message', desc: field.message };
    case 'map':
      throw new Error(`${field.toString()}: expected no map fields (no mapping defined), got one`);
  }
}

export function isRepeated(field: DescField): boolean {
  return field.fieldKind === 'list';
}

/**
 * Whether the field may be absent on the wire and in the mirrored schemas:
 * proto3 `optional` fields and members of a real oneof. Synthetic oneofs of
 * `optional` fields are not in `field.oneof`, so both are checked.
 */
export function isOptional(field: DescField): boolean {
  return field.proto.proto3Optional === true || field.oneof !== undefined;
}

/** Short-name lookup of a message in the contract file; throws on a typo in a test table. */
export function protoMessage(name: string): DescMessage {
  const found = PROTO_FILE.messages.find((m) => m.name === name);
  if (!found) throw new Error(`expected a message ${name} in ${PROTO_FILE.name}.proto, got none`);
  return found;
}

/** `ReactionKind` → `REACTION_KIND_`: the prefix proto style puts on every value. */
export function enumValuePrefix(desc: DescEnum): string {
  return `${desc.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}_`;
}

/** `REACTION_KIND_LIKE` → `LIKE`; a value without the prefix keeps its name. */
export function strippedValueName(desc: DescEnum, valueName: string): string {
  const prefix = enumValuePrefix(desc);
  return valueName.startsWith(prefix) ? valueName.slice(prefix.length) : valueName;
}

/**
 * Messages a response can contain: every method output and, transitively, the
 * message types of their fields. The others are request-only messages, whose
 * protobuf JSON fields may all be omitted (an absent field is its zero value).
 */
export function responseMessages(): Set<string> {
  const seen = new Set<string>();
  const visit = (msg: DescMessage): void => {
    if (seen.has(msg.typeName) || msg.file !== PROTO_FILE) return;
    seen.add(msg.typeName);
    for (const field of msg.fields) {
      const element = fieldElement(field);
      if (element.kind === 'message') visit(element.desc);
    }
  };
  for (const method of CONTRACT_METHODS) visit(method.output);
  return seen;
}

/** Readable scalar names for messages: `ScalarType.INT64` → `int64`. */
export function scalarName(scalar: ScalarType): string {
  return ScalarType[scalar].toLowerCase();
}
