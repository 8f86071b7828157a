from dataclasses import dataclass

from PyQt6.QtCore import QThread, pyqtSignal

from app.transcription.transcriber import TranscriptResult


@dataclass
class SpeakerSegment:
    start: float
    end: float
    speaker: str


class DiarizationWorker(QThread):
    """Runs speaker diarization in a background thread using pyannote.audio."""

    progress = pyqtSignal(str)
    finished = pyqtSignal(TranscriptResult)
    error = pyqtSignal(str)

    def __init__(self, audio_path, transcript_result, hf_token="",
                 min_speakers=None, max_speakers=None):
        super().__init__()
        self.audio_path = audio_path
        self.transcript_result = transcript_result
        self.hf_token = hf_token
        self.min_speakers = min_speakers
        self.max_speakers = max_speakers

    def run(self):
        try:
            self.progress.emit("Loading speaker diarization model...")
            from pyannote.audio import Pipeline

            pipeline = Pipeline.from_pretrained(
                "pyannote/speaker-diarization-community-1",
                token=self.hf_token,
            )

            # pre-load audio (pyannote 4.0 accepts a waveform dict)
            import soundfile as sf
            import torch

            audio, sample_rate = sf.read(self.audio_path, dtype="float32")
            waveform = torch.from_numpy(audio).unsqueeze(0) if audio.ndim == 1 else torch.from_numpy(audio.T)

            self.progress.emit("Running speaker diarization...")
            params = {}
            if self.min_speakers is not None:
                params["min_speakers"] = self.min_speakers
            if self.max_speakers is not None:
                params["max_speakers"] = self.max_speakers
            result = pipeline({"waveform": waveform, "sample_rate": sample_rate}, **params)

            diarization = getattr(result, "speaker_diarization", result)
            segments = [SpeakerSegment(t.start, t.end, spk)
                        for t, _, spk in diarization.itertracks(yield_label=True)]
            self.finished.emit(self._merge(self.transcript_result, segments))
        except Exception as e:
            self.error.emit(f"Diarization failed: {e}")

    def _merge(self, transcript, segments):
        for seg in transcript.segments:
            best, best_overlap = "Unknown", 0.0
            for s in segments:
                overlap = max(0, min(seg.end, s.end) - max(seg.start, s.start))
                if overlap > best_overlap:
                    best, best_overlap = s.speaker, overlap
            seg.speaker = best
        return transcript
