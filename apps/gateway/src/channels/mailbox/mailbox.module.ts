import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { join, resolve } from 'node:path';
import { BlobStore } from '../email/blob.store';
import { GATEWAY_ENV } from '../../config/tokens';
import type { GatewayEnv } from '../../config/gateway.env';
import { IntakeModule } from '../../intake/intake.module';
import { MailboxAdapter } from './mailbox.adapter';
import { MAILBOX_BLOBS, MailboxController } from './mailbox.controller';
import { MailboxSubmissionStore } from './mailbox-submission.store';
import { SubmissionRateLimiter } from './submission-rate.limiter';

/** Leader mailboxes: website API, the citizen's page, re-post memory, rate limit, attachments. */
@Module({
  imports: [IntakeModule],
  controllers: [MailboxController],
  providers: [
    MailboxAdapter,
    MailboxSubmissionStore,
    SubmissionRateLimiter,
    {
      provide: MAILBOX_BLOBS,
      inject: [GATEWAY_ENV],
      // The same content-addressed directory as the email channel's default: a blob is its hash.
      useFactory: (env: GatewayEnv) => new BlobStore(join(resolve(env.GATEWAY_STATE_DIR), 'blobs')),
    },
  ],
})
export class MailboxModule implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
  ) {}

  /**
   * Adds the multipart/form-data parser (forms with attachments). Only that content type is
   * touched: JSON and urlencoded keep Nest's rawBody parsers that signature checks rely on. Files
   * are read by the mailbox controller with its own limits; nothing is attached to bodies.
   */
  async onModuleInit(): Promise<void> {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    if (fastify.hasContentTypeParser('multipart/form-data')) return;
    await fastify.register(multipart, { limits: { fileSize: this.env.BODY_LIMIT_BYTES } });
  }
}
