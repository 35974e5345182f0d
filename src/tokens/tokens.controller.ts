import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { TokensService } from './tokens.service';

@ApiTags('tokens')
@Controller('calling')
export class TokensController {
  constructor(private readonly service: TokensService) {}
}
