import logging
from typing import Any, Dict, List, Optional

from pydantic import PrivateAttr
from transformers import Pipeline, pipeline

from textlab.analyzer.base_analyzer import AnalyzerRequest, AnalyzerResponse, BaseAnalyzer, BaseAnalyzerConfig

logger = logging.getLogger(__name__)


class ClassificationAnalyzerConfig(BaseAnalyzerConfig):
    TYPE: str = "Classification"
    labels: List[str]
    multi_class_classification: Optional[bool] = True


class ZeroShotClassificationAnalyzer(BaseAnalyzer):
    _pipeline: Pipeline = PrivateAttr()
    TYPE: str = "Classification"
    model_name_or_path: str

    def __init__(self, **data: Any):
        super().__init__(**data)
        self._pipeline = pipeline("zero-shot-classification", model=self.model_name_or_path)

    def _classify(self, text: str, labels: List[str], multi_label: bool = True) -> Dict[str, float]:
        scores = self._pipeline(text, labels, multi_label=multi_label)
        result = {label: score for label, score in zip(scores["labels"], scores["scores"])}
        return dict(sorted(result.items(), key=lambda x: x[1], reverse=True))

    def analyze_input(
        self,
        source_response_list: List[AnalyzerRequest],
        analyzer_config: ClassificationAnalyzerConfig,
        **kwargs
    ) -> List[AnalyzerResponse]:
        outputs: List[AnalyzerResponse] = []
        for item in source_response_list:
            outputs.append(
                AnalyzerResponse(
                    processed_text=item.processed_text,
                    meta=item.meta,
                    segmented_data=self._classify(
                        item.processed_text,
                        analyzer_config.labels,
                        analyzer_config.multi_class_classification,
                    ),
                    source_name=item.source_name,
                )
            )
        return outputs
