import numpy as np
import pandas as pd
from pyannote.audio import Pipeline


class DiarizationPipeline:
    def __init__(
        self,
        model_name="pyannote/speaker-diarization@2.1",
        use_auth_token=None,
    ):
        self.model = Pipeline.from_pretrained(model_name, use_auth_token=use_auth_token)

    def __call__(self, audio, min_speakers=None, max_speakers=None):
        segments = self.model(audio, min_speakers=min_speakers, max_speakers=max_speakers)
        diarize_df = pd.DataFrame(segments.itertracks(yield_label=True))
        diarize_df["start"] = diarize_df[0].apply(lambda x: x.start)
        diarize_df["end"] = diarize_df[0].apply(lambda x: x.end)
        return diarize_df


def assign_word_speakers(diarize_df, result_segments, fill_nearest=False):
    for seg in result_segments:
        overlap = np.minimum(diarize_df["end"], seg["end"]) - np.maximum(diarize_df["start"], seg["start"])
        diarize_df["intersection"] = overlap
        dia_tmp = diarize_df[diarize_df["intersection"] > 0]
        if len(dia_tmp) > 0:
            seg["speaker"] = dia_tmp.sort_values("intersection", ascending=False).iloc[0][2]
    return result_segments, []
