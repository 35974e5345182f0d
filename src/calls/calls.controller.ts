import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CallsService } from './calls.service';

@ApiTags('calls')
@Controller('calling')
export class CallsController {
  constructor(private readonly service: CallsService) {}
}
