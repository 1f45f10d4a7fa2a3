import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { trackingNumberFor } from '@app/contracts';
import type { ChannelsConfig } from '@app/config';
import { CHANNELS_CONFIG, GATEWAY_ENV } from '../../config/tokens';
import { GATEWAY_STATE, type GatewayState } from '../../state/gateway-state.port';
import { KeyedLimiters, sendRateLimited, type RateDecision } from '../../http/rate-limiter';
import { SignatureShadow } from '../../http/signature-shadow';
import type { GatewayEnv } from '../../config/gateway.env';
import { IntakeService } from '../../intake/intake.service';
import { toInbound } from '../../http/inbound-request';
import { BoardFeedAdapter, type BoardPostResult } from './board-feed.adapter';
import { planPost } from './board-post';
import { BoardPostStore } from './board-post.store';

/**
 * `POST /channels/board/posts`: verify → parse → compare each post with its stored state →
 * publish what is new (durably) → only then advance the state → per-post results.
 */
@Controller('channels/board/posts')
export class BoardFeedController {
  constructor(
    private readonly adapter: BoardFeedAdapter,
    private readonly store: BoardPostStore,
    private readonly intake: IntakeService,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    @Inject(CHANNELS_CONFIG) channels: ChannelsConfig,
    @Inject(GATEWAY_STATE) private readonly state: GatewayState,
    private readonly shadow: SignatureShadow,
  ) {
    this.limiters = new KeyedLimiters(
      channels.board.scrapers.map((s) => [s.id, s.rateLimit]),
      state,
      'board-scrapers',
    );
  }

  private readonly limiters: KeyedLimiters;

  @Post()
  async receive(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const receivedAt = new Date();
    const inbound = toInbound(req, this.env);
    this.shadow.check(this.adapter.route, () => this.adapter.verify(inbound));
    // Per scraper key, after it was checked: nobody else can spend a scraper's budget.
    const scraper = this.adapter.scraperOf(inbound);
    const limit: RateDecision = scraper
      ? await this.limiters.take(scraper, receivedAt.getTime())
      : { allowed: true };
    if (!limit.allowed) {
      return sendRateLimited(
        res,
        limit.retryAfterSeconds,
        'too-many-requests',
        'this key is over its request budget (board.scrapers[].rateLimit)',
      );
    }
    const { posts, rejected, same } = this.adapter.posts(inbound);
    const results: BoardPostResult[] = [];
    for (const r of rejected) {
      const { board, postId, code, message } = r;
      results[r.index] = { board, postId, status: 'rejected', code, message };
    }
    await this.store.withPosts(
      posts.map((p) => p.key),
      async () => {
        const plans = [];
        for (const post of posts) {
          const plan = planPost(post, await this.store.get(post.key));
          // A post's records (the post, its new replies) are refused together, before any is
          // published, so its stored state never runs ahead of or behind what was published.
          const refusal = plan.drafts
            .map((d) => this.intake.refusal(d, receivedAt))
            .find((r) => r !== null);
          if (refusal) {
            results[post.index] = {
              board: post.board,
              postId: post.postId,
              status: 'rejected',
              ...refusal,
            };
          } else plans.push({ post, plan });
        }
        // Throws NotDurableError (503) when Kafka does not acknowledge: no state is advanced.
        const outcomes = await this.intake.accept(
          { items: plans.flatMap((p) => p.plan.drafts), rejected: [] },
          receivedAt,
          String(req.id),
        );
        const refused = outcomes.filter((o) => o.status === 'rejected');
        if (refused.length > 0) {
          // Each draft was checked above with the same rules: reaching this is a bug.
          throw new Error(`intake refused ${refused.length} board records it had passed`);
        }
        await this.store.putAll(
          plans
            .filter((p) => p.plan.drafts.length > 0)
            .map((p) => ({ key: p.post.key, state: p.plan.next })),
        );
        for (const { post, plan } of plans) {
          results[post.index] = {
            board: post.board,
            postId: post.postId,
            status: plan.status,
            petitionId: trackingNumberFor(post.key),
            revision: plan.revision,
            newReplies: plan.newReplies,
          };
        }
      },
    );
    // The same crawl of a post twice in one push: the second shares the first one's result.
    for (const { index, sameAs } of same) results[index] = results[sameAs]!;
    const reply = this.adapter.replyPosts(results);
    await res.status(reply.status).header('content-type', reply.contentType).send(reply.body);
  }
}
