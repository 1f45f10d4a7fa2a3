import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { GATEWAY_ENV } from '../config/tokens';
import type { GatewayEnv } from '../config/gateway.env';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { ChannelAuthError } from './channel-errors';

export type ShadowCheck<T> = { ok: true; value: T } | { ok: false; code: string };

/**
 * Signature "shadow mode" for the channels with controllers of their own, driven by the same
 * SIGNATURE_SHADOW_ROUTES (e.g. `sms/gateway,board/posts`) as the generic ingress: for a listed
 * route a failed signature or key check is logged (route and reason code only: never the header,
 * key or body) and counted, and the request goes on; for every other route it is refused as usual.
 * Off by default. A roll-out aid behind proxies that rewrite what senders sign, to be switched off
 * once the log stays quiet.
 */
@Injectable()
export class SignatureShadow {
  private readonly routes: ReadonlySet<string>;

  constructor(
    @Inject(GATEWAY_ENV) env: Pick<GatewayEnv, 'SIGNATURE_SHADOW_ROUTES'>,
    private readonly metrics: GatewayMetrics,
    private readonly log: PinoLogger,
  ) {
    this.routes = shadowRoutes(env.SIGNATURE_SHADOW_ROUTES);
    log.setContext(SignatureShadow.name);
  }

  /** Runs `verify`; a ChannelAuthError is thrown, or in shadow mode logged and returned. */
  check<T>(route: string, verify: () => T): ShadowCheck<T> {
    try {
      return { ok: true, value: verify() };
    } catch (error) {
      if (!(error instanceof ChannelAuthError) || !this.routes.has(route)) throw error;
      this.log.warn({ route, code: error.code }, 'signature check failed; accepted in shadow mode');
      this.metrics.items.inc({ route, outcome: `shadow-${error.code}` });
      return { ok: false, code: error.code };
    }
  }
}

/** `sms/gateway, board/posts` → the set of routes. */
export function shadowRoutes(setting: string): ReadonlySet<string> {
  return new Set(
    setting
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
  );
}
