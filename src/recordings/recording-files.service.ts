import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DeleteObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { recordingConfig } from '../config/recording.config';

/** DeleteObjects takes at most this many keys per request. */
const MAX_KEYS_PER_REQUEST = 1000;

/** A bucket request that takes longer than this counts as failed. */
export const STORAGE_REQUEST_TIMEOUT_MS = 15_000;

/**
 * The recording files in the bucket Agora uploads to, through the S3 API: the retention job
 * deletes them here before it deletes their rows. With `RECORDING_STORAGE_ENDPOINT` the client
 * talks to that S3-compatible endpoint with path-style requests.
 */
@Injectable()
export class RecordingFiles implements OnModuleDestroy {
  private readonly logger = new Logger(RecordingFiles.name);
  private readonly client?: S3Client;

  constructor(@Inject(recordingConfig.KEY) private readonly config: ConfigType<typeof recordingConfig>) {
    const storage = config.storage;
    if (!storage) return;
    this.client = new S3Client({
      region: storage.s3Region,
      credentials: { accessKeyId: storage.accessKey, secretAccessKey: storage.secretKey },
      ...(storage.endpoint ? { endpoint: storage.endpoint, forcePathStyle: true } : {}),
      maxAttempts: 2,
      requestHandler: { requestTimeout: STORAGE_REQUEST_TIMEOUT_MS, connectionTimeout: STORAGE_REQUEST_TIMEOUT_MS },
    });
  }

  /** Whether files can be deleted at all (storage is configured). */
  isConfigured(): boolean {
    return this.client !== undefined;
  }

  /**
   * Deletes the objects; true only when the bucket confirmed every key (a key already gone
   * counts as deleted, as S3 reports it). Never throws; failures are logged without keys' owners or secrets.
   */
  async delete(keys: string[]): Promise<boolean> {
    if (keys.length === 0) return true;
    if (!this.client) return false;
    const bucket = this.config.storage!.bucket;
    for (let from = 0; from < keys.length; from += MAX_KEYS_PER_REQUEST) {
      const chunk = keys.slice(from, from + MAX_KEYS_PER_REQUEST);
      try {
        const answer = await this.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }));
        const errors = answer.Errors ?? [];
        if (errors.length > 0) {
          this.logger.warn({ msg: 'recording files not deleted', bucket, failed: errors.length, code: errors[0].Code });
          return false;
        }
      } catch (error) {
        this.logger.warn({ msg: 'recording files delete failed', bucket, error: (error as Error).name, status: (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode });
        return false;
      }
    }
    return true;
  }

  onModuleDestroy(): void {
    this.client?.destroy();
  }
}
