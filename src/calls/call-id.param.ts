import { ApiParamOptions } from '@nestjs/swagger';

/** `:callId` in every route's path, as Swagger documents it (PositiveIntPipe checks it). */
export const CALL_ID = { name: 'callId', description: 'The call id (a positive integer)', example: 12345, type: 'integer' } satisfies ApiParamOptions;
