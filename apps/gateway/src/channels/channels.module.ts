import { Module, type Type } from '@nestjs/common';
import { CHANNEL_ADAPTERS } from '../config/tokens';
import { IntakeModule } from '../intake/intake.module';
import { SignatureShadow } from '../http/signature-shadow';
import type { ChannelAdapter } from './channel-adapter';
import { ChannelIngressController } from './channel-ingress.controller';
import { TwilioSmsAdapter } from './sms/twilio/twilio-sms.adapter';
import { SmsGatewayModule } from './sms/gateway/sms-gateway.module';
import { EmailModule } from './email/email.module';
import { BoardModule } from './board/board.module';
import { MailboxModule } from './mailbox/mailbox.module';

/**
 * THE list of HTTP channel providers, each mounted at POST /channels/<adapter.route>.
 * Adding a provider = its folder + one line here.
 */
const ADAPTERS: Type<ChannelAdapter>[] = [TwilioSmsAdapter];

/**
 * Channels that are more than a stateless webhook (mail pollers and listeners, pages, stores):
 * each is a module of its own in its folder, listed here once.
 */
const CHANNEL_MODULES: Type<unknown>[] = [
  // Stateful channels own their route (their state sits between parse and publish).
  SmsGatewayModule,
  EmailModule,
  BoardModule,
  MailboxModule,
];

@Module({
  imports: [IntakeModule, ...CHANNEL_MODULES],
  controllers: [ChannelIngressController],
  providers: [
    ...ADAPTERS,
    SignatureShadow,
    {
      provide: CHANNEL_ADAPTERS,
      useFactory: (...adapters: ChannelAdapter[]) => adapters,
      inject: ADAPTERS,
    },
  ],
})
export class ChannelsModule {}
