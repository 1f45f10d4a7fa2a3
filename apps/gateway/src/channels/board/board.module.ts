import { Module } from '@nestjs/common';
import { SignatureShadow } from '../../http/signature-shadow';
import { IntakeModule } from '../../intake/intake.module';
import { BoardFeedAdapter } from './board-feed.adapter';
import { BoardFeedController } from './board-feed.controller';
import { BoardPostStore } from './board-post.store';

/** Message-board scraper feeds: adapter, per-post state and their controller. */
@Module({
  imports: [IntakeModule],
  controllers: [BoardFeedController],
  providers: [BoardFeedAdapter, BoardPostStore, SignatureShadow],
})
export class BoardModule {}
