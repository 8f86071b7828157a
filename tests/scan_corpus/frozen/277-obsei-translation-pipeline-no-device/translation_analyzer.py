from typing import Any, List

from pydantic import PrivateAttr
from transformers import pipeline, Pipeline, AutoTokenizer, AutoModelForSeq2SeqLM

from textlab.analyzer.base_analyzer import AnalyzerRequest, AnalyzerResponse, BaseAnalyzer


class TranslationAnalyzer(BaseAnalyzer):
    _pipeline: Pipeline = PrivateAttr()
    TYPE: str = "Translation"
    model_name_or_path: str

    def __init__(self, **data: Any):
        super().__init__(**data)
        tokenizer = AutoTokenizer.from_pretrained(self.model_name_or_path)
        model = AutoModelForSeq2SeqLM.from_pretrained(self.model_name_or_path)
        self._pipeline = pipeline("translation", model=model, tokenizer=tokenizer)

    def analyze_input(self, source_response_list: List[AnalyzerRequest], **kwargs) -> List[AnalyzerResponse]:
        responses = []
        for item in source_response_list:
            translated = self._pipeline(item.processed_text)
            responses.append(
                AnalyzerResponse(
                    processed_text=item.processed_text,
                    meta=item.meta,
                    source_name=item.source_name,
                    segmented_data={"translated_text": translated},
                )
            )
        return responses
