/** Who the citizen addressed: a leader, an office or a unit, as configured for the channel endpoint. */
export interface Recipient {
  /** Stable id from config/channels.yaml, e.g. `zhongxian-county-head`. */
  id: string;
  /** Display name, e.g. 忠县县长. */
  name: string;
  kind: 'leader' | 'office' | 'unit';
  /** The district or county the endpoint belongs to (属地 when the text names none). */
  county: string | null;
}
