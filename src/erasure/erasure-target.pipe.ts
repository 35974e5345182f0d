import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { UsersService } from '../auth/users.service';

const OTO_NUMBER = /^OTO#[A-Z0-9]{6}$/;
const USER_ID = /^\d{1,10}$/;
const MAX_ID = 2_147_483_647;

/**
 * `:member` of the erasure route: an OTO# number or a positive user id, as MemberPipe takes it
 * elsewhere, but a member this service does not know is no 404 here: an erased member is not
 * known any more, and erasing them again answers zeros. A user id is always the id (whatever is
 * left under it is erased); an OTO# number nobody holds is null (nothing to erase). 400 for
 * anything else.
 */
@Injectable()
export class ErasureTargetPipe implements PipeTransform<string, Promise<number | null>> {
  constructor(private readonly users: UsersService) {}

  async transform(value: string, metadata: ArgumentMetadata): Promise<number | null> {
    if (OTO_NUMBER.test(value)) return this.users.idOfOtoNumber(value);
    if (USER_ID.test(value) && Number(value) >= 1 && Number(value) <= MAX_ID) return Number(value);
    throw new BadRequestException(`${metadata.data ?? 'member'} must be an OTO# number (OTO# and 6 of A-Z 0-9, URL-encoded as OTO%23K7Q2ZD) or a positive user id`);
  }
}
