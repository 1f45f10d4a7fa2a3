import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { GATEWAY_ENV } from '../config/tokens';
import type { GatewayEnv } from '../config/gateway.env';
import { GATEWAY_STATE, type GatewayState } from './gateway-state.port';
import { LmdbGatewayState } from './lmdb-gateway-state';
import { RedisGatewayState } from './redis-gateway-state';

/** The gateway's state port: Redis when GATEWAY_REDIS_URL is set (replicas), else LMDB. */
export function createGatewayState(env: GatewayEnv): GatewayState {
  return env.GATEWAY_REDIS_URL
    ? RedisGatewayState.connect(env.GATEWAY_REDIS_URL, { prefix: `${env.TOPIC_NAMESPACE}gw:` })
    : new LmdbGatewayState(env.GATEWAY_STATE_DIR);
}

@Global()
@Module({
  providers: [{ provide: GATEWAY_STATE, inject: [GATEWAY_ENV], useFactory: createGatewayState }],
  exports: [GATEWAY_STATE],
})
export class GatewayStateModule implements OnApplicationShutdown {
  constructor(@Inject(GATEWAY_STATE) private readonly state: GatewayState) {}

  /** Last: every channel that reads or writes state has stopped by now. */
  async onApplicationShutdown(): Promise<void> {
    await this.state.close();
  }
}
