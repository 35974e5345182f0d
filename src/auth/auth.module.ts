import { Global, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { authConfig } from '../config/auth.config';
import { AccessGuard } from './access.guard';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [authConfig.KEY],
      useFactory: (auth: ConfigType<typeof authConfig>) => {
        // A KeyObject, made once: jsonwebtoken given a string secret re-derives a key on every
        // verify and is about 40 times slower.
        const key = createSecretKey(Buffer.from(auth.jwtSecret, 'utf8'));
        return {
          secretOrKeyProvider: () => key,
          signOptions: { algorithm: 'HS256' },
          verifyOptions: {
            algorithms: ['HS256'],
            ...(auth.issuer ? { issuer: auth.issuer } : {}),
            ...(auth.audience ? { audience: auth.audience } : {}),
          },
        };
      },
    }),
  ],
  providers: [UsersRepository, UsersService, AccessGuard],
  exports: [UsersService, AccessGuard, JwtModule],
})
export class AuthModule {}
