/**
 * FR14.2 step 1 on a batch, with the batch's one tokenization: each input is checked (empty,
 * longer than the model reads) and the rest are tokenized together, padded, for the model.
 */
import type { PreTrainedTokenizer, Tensor } from '@huggingface/transformers'
import type { ItemFailure } from './engine.js'

/** What a model call takes: token ids and mask, [rows, tokens] */
export type TokenBatch = Record<string, Tensor> & { attention_mask: Tensor }

export interface CheckedBatch {
  /** per input: why it was refused, or undefined */
  refusals: Array<ItemFailure | undefined>
  /** the inputs not refused, in order */
  valid: string[]
  /** `valid` tokenized; undefined when nothing is valid */
  tokens?: TokenBatch
}

export function tokenizeChecked(
  tokenizer: PreTrainedTokenizer,
  inputs: readonly string[],
  maxTokens: number,
): CheckedBatch {
  const refusals: Array<ItemFailure | undefined> = inputs.map((text) =>
    text.trim().length === 0
      ? { ok: false, reason: 'input_empty', details: 'the input has no text' }
      : undefined,
  )
  const valid = (): string[] => inputs.filter((_, i) => refusals[i] == null)
  let texts = valid()
  if (texts.length === 0) return { refusals, valid: texts }
  let tokens = tokenize(tokenizer, texts)
  // the tokenizer cuts rows at the model's limit: a row that reaches it is measured alone
  const counts = rowCounts(tokens.attention_mask)
  let cut = false
  let row = 0
  inputs.forEach((text, i) => {
    if (refusals[i] != null || (counts[row++] as number) < maxTokens) return
    const length = tokenizer.encode(text, { add_special_tokens: true }).length
    if (length <= maxTokens) return
    cut = true
    refusals[i] = {
      ok: false,
      reason: 'input_exceeds_max_length',
      details: `${length} tokens; the model reads at most ${maxTokens}`,
    }
  })
  if (cut) {
    texts = valid()
    if (texts.length === 0) return { refusals, valid: texts }
    tokens = tokenize(tokenizer, texts)
  }
  return { refusals, valid: texts, tokens }
}

function tokenize(tokenizer: PreTrainedTokenizer, texts: string[]): TokenBatch {
  return tokenizer(texts, { padding: true, truncation: true }) as unknown as TokenBatch
}

/** tokens per row: the mask's ones */
function rowCounts(mask: Tensor): number[] {
  const [rows, width] = mask.dims as [number, number]
  const data = mask.data as ArrayLike<bigint | number>
  return Array.from({ length: rows }, (_, r) => {
    let n = 0
    for (let t = 0; t < width; t++) n += Number(data[r * width + t])
    return n
  })
}
