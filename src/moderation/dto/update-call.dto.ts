import { PartialType } from '@nestjs/swagger';
import { CreateCallDto } from '../../calls/dto/create-call.dto';

/**
 * What a host may change on a call: the create fields, each validated as on create, all optional.
 * Omitted fields stay as they are (no defaults: CreateCallDto has none of its own either).
 * `description: null` clears it; `maxParticipants` may not drop below the members in the call now.
 */
export class UpdateCallDto extends PartialType(CreateCallDto) {}
