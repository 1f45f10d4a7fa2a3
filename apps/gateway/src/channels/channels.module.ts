import { Module, type Type } from '@nestjs/common';
import { CHANNEL_ADAPTERS } from '../config/tokens';
import { IntakeModule } from '../intake/intake.module';
import type { ChannelAdapter } from './channel-adapter';
import { ChannelIngressController } from './channel-ingress.controller';
import { TwilioSmsAdapter } from './sms/twilio/twilio-sms.adapter';

/** THE list of channel providers. Adding a provider = its folder + one line here. */
const ADAPTERS: Type<ChannelAdapter>[] = [TwilioSmsAdapter];

@Module({
  imports: [IntakeModule],
  controllers: [ChannelIngressController],
  providers: [
    ...ADAPTERS,
    {
      provide: CHANNEL_ADAPTERS,
      useFactory: (...adapters: ChannelAdapter[]) => adapters,
      inject: ADAPTERS,
    },
  ],
})
export class ChannelsModule {}
