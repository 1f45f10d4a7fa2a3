import { Module } from '@nestjs/common';
import { SignatureShadow } from '../../../http/signature-shadow';
import { IntakeModule } from '../../../intake/intake.module';
import { SmsGatewayAdapter } from './sms-gateway.adapter';
import { SmsGatewayController } from './sms-gateway.controller';
import { SmsSegmentStore } from './sms-segment.store';
import { SmsSegmentSweeper } from './sms-segment.sweeper';

/** SMS gateways pushing signed JSON: adapter, durable segment store and its sweeper. */
@Module({
  imports: [IntakeModule],
  controllers: [SmsGatewayController],
  providers: [SmsGatewayAdapter, SmsSegmentStore, SmsSegmentSweeper, SignatureShadow],
  exports: [SmsGatewayAdapter],
})
export class SmsGatewayModule {}
