/**
 * A routing config file that cannot be used. The message names the file and the field so that
 * whoever edits the YAML can fix it from the boot log alone; it is never worth retrying.
 */
export class RoutingConfigError extends Error {
  readonly retriable = false;

  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field || '(root)'}: ${problem}`);
    this.name = 'RoutingConfigError';
  }
}
