// Record one utterance: getUserMedia + an AudioWorklet, stop after the learner has spoken
// and gone quiet (or at the time limit, or on tap), and return a 16 kHz mono 16-bit WAV.
const TARGET_RATE = 16000;
const SPEECH_LEVEL = 0.015; // RMS that counts as voice
const QUIET_AFTER_SPEECH_S = 0.7;

export class Recorder {
  constructor() {
    this.stopRequested = false;
  }

  stop() {
    this.stopRequested = true;
  }

  // Resolves with a Blob (audio/wav); `onLevel(0..1)` animates the meter.
  async record(maxSeconds, onLevel = () => {}) {
    const stream = await navigator.mediaDevices.getUserMedia({
      // Echo cancellation keeps the tutor's voice from a phone's speaker out of the try.
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: false, autoGainControl: false },
    });
    const context = new AudioContext();
    try {
      await context.audioWorklet.addModule(new URL("./capture-worklet.js", import.meta.url));
      const source = context.createMediaStreamSource(stream);
      const node = new AudioWorkletNode(context, "capture");
      const silent = context.createGain();
      silent.gain.value = 0;
      source.connect(node).connect(silent).connect(context.destination);
      const chunks = await this.collect(node, context.sampleRate, maxSeconds, onLevel);
      source.disconnect();
      node.disconnect();
      return wavBlob(downsample(concat(chunks), context.sampleRate, TARGET_RATE), TARGET_RATE);
    } finally {
      stream.getTracks().forEach((track) => track.stop());
      await context.close();
    }
  }

  collect(node, rate, maxSeconds, onLevel) {
    return new Promise((resolve) => {
      const chunks = [];
      let samples = 0;
      let heardSpeech = false;
      let quietSamples = 0;
      node.port.onmessage = ({ data }) => {
        chunks.push(data);
        samples += data.length;
        let sum = 0;
        for (const value of data) sum += value * value;
        const level = Math.sqrt(sum / data.length);
        onLevel(Math.min(1, level * 8));
        if (level >= SPEECH_LEVEL) {
          heardSpeech = true;
          quietSamples = 0;
        } else if (heardSpeech) {
          quietSamples += data.length;
        }
        const quietLongEnough = heardSpeech && quietSamples >= QUIET_AFTER_SPEECH_S * rate;
        if (this.stopRequested || quietLongEnough || samples >= maxSeconds * rate) {
          node.port.onmessage = null;
          resolve(chunks);
        }
      };
    });
  }
}

function concat(chunks) {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

// Average over each output sample's span of input: a simple low-pass, then decimation.
export function downsample(input, fromRate, toRate) {
  if (fromRate === toRate) return input;
  const ratio = fromRate / toRate;
  const out = new Float32Array(Math.floor(input.length / ratio));
  for (let i = 0; i < out.length; i++) {
    const start = Math.floor(i * ratio);
    const end = Math.min(input.length, Math.max(start + 1, Math.floor((i + 1) * ratio)));
    let sum = 0;
    for (let j = start; j < end; j++) sum += input[j];
    out[i] = sum / (end - start);
  }
  return out;
}

export function wavBlob(samples, rate) {
  const buffer = new ArrayBuffer(44 + samples.length * 2);
  const view = new DataView(buffer);
  const text = (offset, value) => [...value].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const value = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(44 + i * 2, value < 0 ? value * 0x8000 : value * 0x7fff, true);
  }
  return new Blob([buffer], { type: "audio/wav" });
}
