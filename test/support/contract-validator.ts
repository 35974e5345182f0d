import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Checks real answers against an OpenAPI 3.0 document, as a validating proxy or a generated
 * client would read it: the status is documented for the operation, the media type is one it
 * documents for that status, the body matches that schema, and every header documented for that
 * status is sent (unless documented `required: false`) and has the documented type. Requests can be checked too (a request body the
 * server accepted must match the documented request schema, or the document refuses what the
 * server takes).
 *
 * Built on Ajv (JSON Schema, `nullable` as OpenAPI 3.0.3 defines it: it widens `type`, while an
 * `enum` still lists every allowed value, null included). Not openapi-response-validator: it
 * reads a nullable enum as admitting null whatever the enum says (the very mistake generated
 * clients trip over), checks only the first media type, no headers, and fills in defaults.
 */

interface MediaType {
  schema?: object;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
  headers?: Record<string, { required?: boolean; schema?: { type?: string } }>;
}
interface OperationObject {
  operationId?: string;
  requestBody?: { content?: Record<string, MediaType>; required?: boolean };
  responses?: Record<string, ResponseObject>;
}
export interface ContractDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: object;
}

export interface ContractOperation {
  operationId: string;
  method: string;
  /** `/api/calling/{callId}/join` */
  path: string;
  spec: OperationObject;
}

/** What was answered, as far as the contract is concerned. */
export interface Answer {
  status: number;
  headers: Headers;
  /** The parsed body for JSON answers; the text otherwise; undefined when there was none. */
  body: unknown;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export class ContractValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  readonly operations = new Map<string, ContractOperation>();

  constructor(private readonly document: ContractDocument) {
    addFormats(this.ajv);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of METHODS) {
        const spec = item[method];
        if (!spec) continue;
        if (!spec.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
        this.operations.set(spec.operationId, { operationId: spec.operationId, method, path, spec });
      }
    }
  }

  operation(operationId: string): ContractOperation {
    const found = this.operations.get(operationId);
    if (!found) throw new Error(`No operation ${operationId} in the document`);
    return found;
  }

  /** Every way `answer` breaks the document's promise for this operation; empty when it keeps it. */
  checkAnswer(operationId: string, answer: Answer): string[] {
    const operation = this.operation(operationId);
    const response = operation.spec.responses?.[String(answer.status)] ?? operation.spec.responses?.default;
    if (!response) return [`status ${answer.status} is not documented (documented: ${Object.keys(operation.spec.responses ?? {}).join(', ')})`];
    const problems: string[] = [];
    const contentType = (answer.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    const documented = Object.keys(response.content ?? {});
    if (contentType) {
      if (!documented.includes(contentType)) problems.push(`content type "${contentType}" is not documented for ${answer.status} (documented: ${documented.join(', ') || 'no body'})`);
      else {
        const schema = response.content![contentType].schema;
        // A stream's body never ends: its status and headers are what is checked.
        if (schema && answer.body !== undefined) problems.push(...this.validate(`${operationId} ${answer.status} ${contentType}`, schema, answer.body));
      }
    } else if (documented.length > 0 && answer.status !== 204) {
      problems.push(`no content type, but ${answer.status} documents ${documented.join(', ')}`);
    }
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const value = answer.headers.get(name);
      if (value === null) {
        // A header documented `required: false` comes with some of the status's codes only (Retry-After with CALL_NOT_STARTED, not CALL_PAUSED).
        if (header.required !== false) problems.push(`header ${name} is documented for ${answer.status} but not sent`);
        continue;
      }
      if (header.schema?.type === 'integer' && !/^\d+$/.test(value)) problems.push(`header ${name} is not an integer: ${value}`);
    }
    return problems;
  }

  /** Problems with a JSON request body the server accepted (empty when the document agrees). */
  checkRequestBody(operationId: string, body: unknown): string[] {
    const operation = this.operation(operationId);
    const schema = operation.spec.requestBody?.content?.['application/json']?.schema;
    if (body === undefined) return operation.spec.requestBody?.required ? ['the document requires a body'] : [];
    if (!schema) return ['a body was accepted but the document has none'];
    return this.validate(`${operationId} request`, schema, body).map((problem) => `request body: ${problem}`);
  }

  private validate(key: string, schema: object, value: unknown): string[] {
    let validate = this.compiled.get(key);
    if (!validate) {
      // `#/components/...` references resolve against the document's own components.
      validate = this.ajv.compile({ allOf: [schema], components: this.document.components });
      this.compiled.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || '(body)'} ${error.message}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`);
  }
}
