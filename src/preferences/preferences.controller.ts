import { Body, Controller, Get, HttpCode, HttpStatus, Put } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MemberAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { PreferencesDto, UpdatePreferencesResponseDto } from './dto/preferences.dto';
import { UpdatePreferencesDto } from './dto/update-preferences.dto';
import { PreferencesService } from './preferences.service';

@ApiTags('preferences')
@MemberAccess()
@Controller('calling')
export class PreferencesController {
  constructor(private readonly service: PreferencesService) {}

  @Get('preferences')
  @ApiOperation({
    operationId: 'getPreferences',
    summary: 'Get my call preferences',
    description:
      'The caller\'s stored masking and media preferences, or the defaults (voice and video masking on, auto-mute off, video quality hd, no avatar, no recording consent; null timestamps) when none are stored.',
  })
  @ApiOkResponse({ type: PreferencesDto })
  get(@CurrentUser() user: AuthUser): Promise<PreferencesDto> {
    return this.service.get(user.id);
  }

  @Put('preferences')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'updatePreferences',
    summary: 'Update my call preferences',
    description:
      'Send any subset of the fields; the others keep their stored (or default) value. `preferred_avatar: null` clears the avatar. An empty body stores the defaults.',
  })
  @ApiBody({ type: UpdatePreferencesDto, required: false })
  @ApiOkResponse({ type: UpdatePreferencesResponseDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'Unknown field, wrong type, video quality other than sd/hd, or an avatar that is not a plain image file name' })
  async update(@CurrentUser() user: AuthUser, @Body() body: UpdatePreferencesDto): Promise<UpdatePreferencesResponseDto> {
    const preferences = await this.service.update(user.id, body);
    return { success: true, message: 'Preferences updated successfully', preferences };
  }
}
