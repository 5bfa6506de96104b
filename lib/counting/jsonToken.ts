/** The kinds of token the JSON tokenizer hands out. */
export const Token = {
  NONE: 0,
  START_OBJECT: 1,
  END_OBJECT: 2,
  START_ARRAY: 3,
  END_ARRAY: 4,
  FIELD_NAME: 5,
  STRING: 6,
  NUMBER: 7,
  TRUE: 8,
  FALSE: 9,
  NULL: 10,
} as const;

export const isValueToken = (t: number): boolean => t >= Token.STRING;
