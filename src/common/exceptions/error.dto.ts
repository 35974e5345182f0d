import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES, ErrorCode } from './domain.exception';

/** The one error body: every 4xx and 5xx the service answers has this shape. */
export class ErrorDto {
  @ApiProperty({ type: 'integer', description: 'The HTTP status, repeated.', example: 404 })
  statusCode: number;

  @ApiProperty({ description: "The status's reason phrase.", example: 'Not Found' })
  error: string;

  @ApiProperty({ description: 'What went wrong, for people; validation failures join every problem with "; ".', example: 'Call not found' })
  message: string;

  @ApiProperty({ description: 'Stable machine-readable code; branch on this, not on the message.', enum: Object.keys(ERROR_CODES), example: 'CALL_NOT_FOUND' })
  code: ErrorCode;

  @ApiPropertyOptional({ description: 'Validation failures only: one entry per problem.', type: [String], example: ['title must be longer than or equal to 1 characters'] })
  errors?: string[];
}
