import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { UsersService } from '../auth/users.service';
import { DomainException } from '../common/exceptions/domain.exception';

const OTO_NUMBER = /^OTO#[A-Z0-9]{6}$/;
const USER_ID = /^\d{1,10}$/;
const MAX_ID = 2_147_483_647;

/**
 * `:member` on member-facing routes: an OTO# number (what members see of each other; URL-encoded
 * `OTO%23K7Q2ZD`) or a numeric user id, resolved to the user id. 400 for anything else, 404
 * `MEMBER_NOT_FOUND` for a member this service has never seen.
 */
@Injectable()
export class MemberPipe implements PipeTransform<string, Promise<number>> {
  constructor(private readonly users: UsersService) {}

  async transform(value: string, metadata: ArgumentMetadata): Promise<number> {
    const name = metadata.data ?? 'member';
    let userId: number | null = null;
    if (OTO_NUMBER.test(value)) userId = await this.users.idOfOtoNumber(value);
    else if (USER_ID.test(value) && Number(value) >= 1 && Number(value) <= MAX_ID) userId = (await this.users.known(Number(value))) ? Number(value) : null;
    else throw new BadRequestException(`${name} must be an OTO# number (OTO# and 6 of A-Z 0-9, URL-encoded as OTO%23K7Q2ZD) or a positive user id`);
    if (userId === null) throw new DomainException('MEMBER_NOT_FOUND', 'No member with this OTO# number or user id');
    return userId;
  }
}
