/**
 * What the normalizer judged about a petition (issue: classification, locality, dedup,
 * deadlines). Part of every canonical event; documented field by field in the JSON Schema.
 */
export interface Judgement {
  /** Script of the original text. */
  script: 'simplified' | 'traditional' | 'mixed' | 'none';
  classification: {
    /** First-level class of the public taxonomy, e.g. 城乡建设. */
    category: string;
    confidence: number;
    /** `rule` when a configured keyword rule decided, `model` otherwise. */
    source: 'rule' | 'model';
    /** The model was unsure of the category: a case worker should check it. False for rules. */
    needsReview?: boolean;
    intent: 'complaint' | 'suggestion' | 'consultation' | 'report' | 'thanks';
    intentConfidence: number;
  };
  /** 属地: the district/county (and town) responsible. */
  locality: {
    district: string | null;
    town: string | null;
    /**
     * Division code (统计用区划代码) of the town (9 digits), else of the district (6), else null.
     * Always set by the normalizer since issue 29; absent from events written before.
     */
    code?: string | null;
    source: 'text' | 'channel' | null;
    confidence: number;
  };
  urgency: {
    priority: 'normal' | 'high' | 'urgent';
    flags: string[];
    /** Per flag, the words that raised it (issue 29; absent from events written before). */
    evidence?: { flag: string; text: string }[];
  };
  /** The responsible unit from the routing table, or unit null when no rule matched. */
  routing: { unit: string | null; rule: string | null };
  deadlines: { policy: string; registerBy: string; acceptBy: string; finishBy: string };
  /** Null on petition.updated / petition.replied (the petition was judged when received). */
  dedup: {
    outcome: 'new' | 'duplicate' | 'repeat';
    /** The earlier petition's tracking number for duplicate / repeat. */
    of: string | null;
    similarity: number | null;
    /** Same-issue group (集体信访); a petition's own id when it starts one. */
    clusterId: string;
    clusterSize: number;
  } | null;
}

export const CLUSTER_ALERT_SCHEMA = 'petition.cluster-alert/1' as const;

/** On `petition.clusters.v1` when a same-issue cluster reaches its configured size. */
export interface ClusterAlert {
  schema: typeof CLUSTER_ALERT_SCHEMA;
  clusterId: string;
  size: number;
  /** The petition whose arrival raised the alert. */
  petitionId: string;
  district: string | null;
  category: string;
  raisedAt: string;
}
