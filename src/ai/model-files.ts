/** Which weights file transformers.js loads for a dtype (its `onnx/` naming). */
export function modelFileFor(dtype: string): string {
  switch (dtype) {
    case 'fp32':
      return 'model.onnx'
    case 'q8':
      return 'model_quantized.onnx'
    default:
      return `model_${dtype}.onnx`
  }
}

/** The files a model needs besides its weights. */
export const MODEL_SIDE_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const
