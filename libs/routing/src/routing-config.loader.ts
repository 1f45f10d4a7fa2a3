import { join } from 'node:path';
import { loadDeadlinePolicy } from './deadline.config';
import { loadGazetteer } from './gazetteer.config';
import { loadMatterLexicon, type MatterLexicon } from './matter.config';
import { loadRoutingTable } from './routing-table.config';
import { RoutingConfigError } from './routing-config.error';
import { loadUrgencyLexicon } from './urgency.config';
import type { DeadlinePolicy } from './deadline.config';
import type { Gazetteer } from './gazetteer.config';
import type { RoutingTable } from './routing-table.config';
import type { UrgencyLexicon } from './urgency.config';

/** Everything the routing step needs, validated and compiled once at boot. */
export interface RoutingConfig {
  readonly gazetteer: Gazetteer;
  readonly urgency: UrgencyLexicon;
  readonly routing: RoutingTable;
  readonly deadlines: DeadlinePolicy;
  /** Matter groups for same-issue grouping (used by the dedup engine, not by routing itself). */
  readonly matters: MatterLexicon;
}

export const ROUTING_CONFIG_FILES = {
  gazetteer: 'gazetteer.yaml',
  urgency: 'urgency.yaml',
  routing: 'routing.yaml',
  deadlines: 'deadlines.yaml',
  matters: 'matters.yaml',
} as const;

/**
 * Loads the routing config files from `dir` (normally the repository's `config/`), and
 * checks that every routing override names a district the gazetteer can return: an override
 * for a misspelt district would otherwise never apply.
 */
export function loadRoutingConfig(dir: string): RoutingConfig {
  const routingFile = join(dir, ROUTING_CONFIG_FILES.routing);
  const config: RoutingConfig = {
    gazetteer: loadGazetteer(join(dir, ROUTING_CONFIG_FILES.gazetteer)),
    urgency: loadUrgencyLexicon(join(dir, ROUTING_CONFIG_FILES.urgency)),
    routing: loadRoutingTable(routingFile),
    deadlines: loadDeadlinePolicy(join(dir, ROUTING_CONFIG_FILES.deadlines)),
    matters: loadMatterLexicon(join(dir, ROUTING_CONFIG_FILES.matters)),
  };
  const districts = new Set(config.gazetteer.config.districts.map((district) => district.name));
  for (const [category, route] of config.routing.categories) {
    for (const district of route.overrides.keys()) {
      if (!districts.has(district)) {
        throw new RoutingConfigError(
          routingFile,
          `categories.${category}.overrides.${district}`,
          'not a district name in the gazetteer (use the official full name)',
        );
      }
    }
  }
  return config;
}
