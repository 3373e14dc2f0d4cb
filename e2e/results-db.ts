/**
 * Task records as the tabs of a page's origin stored them: every node keeps its own results
 * database (`p2p-ai-agents-results`, `…-slot-N`), so this reads them all. Embeddings come out as
 * plain numbers when asked for, else without outputs (a poll that copied every embedding out of
 * the page each second would load the very tab under test).
 */
import type { Page } from '@playwright/test'
import type { EmbeddingOutput, TaskRecord } from '../src/core/tasks.js'

export async function allStoredRecords(page: Page, outputs = false): Promise<TaskRecord[]> {
  return page.evaluate(async (outputs) => {
    const names = (await indexedDB.databases())
      .map((d) => d.name ?? '')
      .filter((n) => n === 'p2p-ai-agents-results' || n.startsWith('p2p-ai-agents-results-slot-'))
    const records: TaskRecord[] = []
    for (const name of names) {
      const open = indexedDB.open(name)
      const conn = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result)
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'))
      })
      try {
        if (!conn.objectStoreNames.contains('results')) continue
        const all = conn.transaction('results', 'readonly').objectStore('results').getAll()
        const rows = await new Promise<Array<{ record: TaskRecord }>>((resolve, reject) => {
          all.onsuccess = () => resolve(all.result as Array<{ record: TaskRecord }>)
          all.onerror = () => reject(all.error ?? new Error('getAll failed'))
        })
        for (const { record } of rows) {
          const out = record.output_data as EmbeddingOutput | undefined
          records.push(
            !outputs
              ? { ...record, output_data: undefined }
              : out?.embedding == null
                ? record
                : { ...record, output_data: { ...out, embedding: Array.from(out.embedding) } },
          )
        }
      } finally {
        conn.close()
      }
    }
    return records
  }, outputs)
}
