import type { FeatureExtractionPipeline } from '@huggingface/transformers'
import { pipeline } from '@huggingface/transformers'
import { beforeAll, describe, expect, it } from 'vitest'
import type { EmbeddingOutput, ClassificationOutput } from '../../src/core/tasks.js'
import type { InferenceRuntime, ModelSpec, RuntimeItem } from '../../src/ai/engine.js'
import { toItemResult } from '../../src/ai/engine.js'
import { createRuntime } from '../../src/ai/runtime.js'
import { nodePlatform } from '../../src/ai/runtime-node.js'
import { defaultModelsDir } from '../../src/platform/node/models-dir.js'

const EMBED: ModelSpec = {
  task_type: 'text_embedding',
  model: 'local/universal-sentence-encoder-lite',
  dtype: 'q8',
}
const CLASSIFY: ModelSpec = {
  task_type: 'classification',
  model: 'local/use-lite-sentiment-prototype',
  dtype: 'q8',
}

let runtime: InferenceRuntime

beforeAll(async () => {
  const dir = defaultModelsDir()
  if (dir == null)
    throw new Error('the offline models (../shared/models) are needed for these tests')
  runtime = createRuntime(nodePlatform())
  await runtime.init({ source: { localPath: dir, allowRemote: false }, preferWebGpu: false })
})

const embedding = (item: RuntimeItem | undefined): number[] => {
  const r = item == null ? undefined : toItemResult(item)
  if (r?.ok !== true) throw new Error(`not ok: ${JSON.stringify(r)}`)
  return (r.output as EmbeddingOutput).embedding
}
const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * (b[i] as number), 0)

describe('inference runtime (Node, real model)', () => {
  it('embeds into 512 unit-length values, closer for closer meanings', async () => {
    const [food, bread, horse] = (
      await runtime.run(EMBED, [
        'A man is eating food.',
        'A man is eating a piece of bread.',
        'A man is riding a horse.',
      ])
    ).map(embedding) as [number[], number[], number[]]
    expect(food).toHaveLength(512)
    expect(Math.sqrt(dot(food, food))).toBeCloseTo(1, 4)
    expect(dot(food, bread)).toBeGreaterThan(dot(food, horse) + 0.1)
  })

  it("gives the feature-extraction pipeline's vectors, whatever the lengths in a batch", async () => {
    const texts = [
      'Hi.',
      'A man is eating a piece of bread at a long table in the old station.',
      'ok',
    ]
    const ours = (await runtime.run(EMBED, texts)).map(embedding)
    const bare = (await pipeline('feature-extraction', EMBED.model, {
      dtype: 'q8',
    })) as FeatureExtractionPipeline
    const expected = (
      await bare(texts, { pooling: 'mean', normalize: true })
    ).tolist() as number[][]
    ours.forEach((vector, i) =>
      vector.forEach((v, d) => expect(v).toBeCloseTo(expected[i]?.[d] as number, 5)),
    )
  })

  it('takes an input of exactly the tokens the model reads, and refuses one token more', async () => {
    const { tokenizer } = (await pipeline('feature-extraction', EMBED.model, {
      dtype: 'q8',
    })) as FeatureExtractionPipeline
    const limit = Number(tokenizer.model_max_length)
    const words = (n: number): string => Array.from({ length: n }, (_, i) => `w${i % 10}`).join(' ')
    let n = 1
    while (tokenizer.encode(words(n + 1)).length <= limit) n++
    expect(tokenizer.encode(words(n))).toHaveLength(limit)
    const [fits, over] = await runtime.run(EMBED, [words(n), words(n + 1)])
    expect(embedding(fits)).toHaveLength(512)
    expect(over).toMatchObject({ ok: false, reason: 'input_exceeds_max_length' })
  })

  it('classifies sentiment with a label and a confidence', async () => {
    const [love, hate] = await runtime.run(CLASSIFY, ['I love this', 'I hate this'])
    expect((love as { output: ClassificationOutput }).output).toMatchObject({ label: 'POSITIVE' })
    expect((hate as { output: ClassificationOutput }).output).toMatchObject({ label: 'NEGATIVE' })
    expect((love as { output: ClassificationOutput }).output.score).toBeGreaterThan(0.5)
  })

  it('refuses empty and over-long inputs one by one, and runs the rest of the batch', async () => {
    const long = 'word '.repeat(400)
    const [empty, tooLong, fine] = await runtime.run(EMBED, ['  ', long, 'fine'])
    expect(empty).toMatchObject({ ok: false, reason: 'input_empty' })
    expect(tooLong).toMatchObject({ ok: false, reason: 'input_exceeds_max_length' })
    expect((tooLong as { details: string }).details).toMatch(/reads at most 128/)
    expect(embedding(fine)).toHaveLength(512)
  })

  it('lists loaded models with their size, type and readiness', async () => {
    const models = await runtime.models()
    const embed = models.find((m) => m.model_name === EMBED.model)
    expect(embed).toMatchObject({
      model_type: 'embedding',
      task_type: 'text_embedding',
      dtype: 'q8',
      is_ready: true,
    })
    expect(embed?.model_size_mb).toBeCloseTo(6.9, 0)
    expect(Date.parse(embed?.loaded_at ?? '')).toBeGreaterThan(0)
  })

  it('reports a model it cannot find', async () => {
    await expect(runtime.load({ ...EMBED, model: 'local/no-such-model' })).rejects.toThrow()
    expect(
      (await runtime.models()).find((m) => m.model_name === 'local/no-such-model'),
    ).toMatchObject({ is_ready: false })
  })
})
