import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PreferencesService } from './preferences.service';

@ApiTags('preferences')
@Controller('calling')
export class PreferencesController {
  constructor(private readonly service: PreferencesService) {}
}
