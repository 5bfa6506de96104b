// Contract stub: implemented by the counting-rules work.

export interface AnalysisFields {
  detectors: ReadonlyArray<{
    field_name?: string;
    by_field_name?: string;
    over_field_name?: string;
    partition_field_name?: string;
  }>;
  influencers?: readonly string[];
  categorization_field_name?: string;
  summary_count_field_name?: string;
}

/** The input field set of spec §6.1, time field included. */
export function inputFieldSet(
  analysis: AnalysisFields, timeField: string,
): string[] {
  throw new Error(`not implemented ${String([analysis, timeField])}`);
}

/** `A` of spec §3.6: the input field set's size minus the time field. */
export function analysedFieldCount(inputFields: readonly string[]): number {
  throw new Error(`not implemented ${String(inputFields)}`);
}
