/**
 * The framework's own ceiling on the token path: the smallest NestJS app on the Fastify
 * adapter that does the baseline's work (bench/baseline-token-server.ts) and nothing more.
 *
 * - one controller, `POST /api/calling/token`, no guards, pipes, interceptors or logger;
 * - verifies the same HS256 JWT (jsonwebtoken, the secret as a KeyObject), checks admission in a
 *   Map, builds the same agora-token token, answers `{ token, appId, channelName, uid, expiresAt }`.
 *
 * bench/run.ts runs it next to the baseline and the service: "reference / baseline" is what any
 * Nest service pays before its own work, "service / reference" is what this service adds on top.
 * Same environment as the baseline server. GET /health answers 200 when ready.
 */
import 'reflect-metadata';
import { Body, Controller, ForbiddenException, Headers, HttpCode, Module, Post, UnauthorizedException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { createSecretKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { verify } from 'jsonwebtoken';
import { RtcRole, RtcTokenBuilder } from 'agora-token';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const key = createSecretKey(Buffer.from(required('JWT_SECRET'), 'utf8'));
const appId = required('AGORA_APP_ID');
const appCertificate = required('AGORA_APP_CERTIFICATE');
const ttl = Number(required('AGORA_TOKEN_TTL_SECONDS'));
const admitted = new Map<string, Set<number>>(
  Object.entries(JSON.parse(readFileSync(required('ADMISSION_FILE'), 'utf8')) as Record<string, number[]>).map(([channel, users]) => [channel, new Set(users)]),
);

@Controller('api/calling')
class TokenController {
  @Post('token')
  @HttpCode(200)
  issue(@Headers('authorization') authorization: string | undefined, @Body() body: { channelName: string; uid: number }): Record<string, unknown> {
    const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    let userId: number;
    try {
      const payload = verify(match?.[1] ?? '', key, { algorithms: ['HS256'] }) as Record<string, unknown>;
      userId = Number(payload.user_id ?? payload.id ?? payload.sub);
    } catch {
      throw new UnauthorizedException('Invalid bearer token');
    }
    if (!admitted.get(body.channelName)?.has(userId)) throw new ForbiddenException('Access denied to this call');
    const issuedAt = Math.floor(Date.now() / 1000);
    const token = RtcTokenBuilder.buildTokenWithUid(appId, appCertificate, body.channelName, body.uid, RtcRole.PUBLISHER, ttl, ttl);
    return { token, appId, channelName: body.channelName, uid: body.uid, expiresAt: issuedAt + ttl };
  }
}

@Module({ controllers: [TokenController] })
class ReferenceModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(ReferenceModule, new FastifyAdapter(), { logger: false });
  app.getHttpAdapter().getInstance().get('/health', () => ({ status: 'ok' }));
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  await app.listen({ port: Number(required('PORT')), host: '127.0.0.1' });
}

void main();
