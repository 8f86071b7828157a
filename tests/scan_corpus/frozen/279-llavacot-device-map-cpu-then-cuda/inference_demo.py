import torch
from PIL import Image
from transformers import StoppingCriteria, StoppingCriteriaList

from .base import BaseModel
from ..smp import get_rank_and_world_size


class StopOnStrings(StoppingCriteria):
    def __init__(self, stop_strings, tokenizer):
        self.stop_strings = stop_strings
        self.tokenizer = tokenizer

    def __call__(self, input_ids, scores, **kwargs):
        text = self.tokenizer.decode(input_ids[0], skip_special_tokens=True)
        return any(s in text for s in self.stop_strings)


class vision_reasoner(BaseModel):

    INSTALL_REQ = False
    INTERLEAVE = False

    # Spread the 90B checkpoint over all visible GPUs
    def split_model(self):
        device_map = {}
        num_gpus = torch.cuda.device_count()
        rank, world_size = get_rank_and_world_size()
        num_gpus = num_gpus // world_size
        num_layers = 100
        per_gpu = [(num_layers + 12) // num_gpus] * num_gpus
        per_gpu[0] -= 5
        per_gpu[-1] -= 7
        layer = 0
        for i, n in enumerate(per_gpu):
            for _ in range(n):
                device_map[f'language_model.model.layers.{layer}'] = rank + world_size * i
                layer += 1
        device_map['vision_model'] = rank
        device_map['language_model.model.embed_tokens'] = rank
        device_map['language_model.model.norm'] = rank + world_size * (num_gpus - 1)
        device_map['language_model.lm_head'] = rank + world_size * (num_gpus - 1)
        device_map['multi_modal_projector'] = rank + world_size * (num_gpus - 1)
        return device_map

    def __init__(self, model_path='meta-llama/Llama-3.2-11B-Vision-Instruct', **kwargs):
        from transformers import MllamaForConditionalGeneration, AutoProcessor

        if '90b' in model_path.lower():
            device_map = self.split_model()
            self.model = MllamaForConditionalGeneration.from_pretrained(
                model_path,
                torch_dtype=torch.bfloat16,
                device_map=device_map,
            ).eval()
        else:
            self.model = MllamaForConditionalGeneration.from_pretrained(
                model_path,
                torch_dtype=torch.bfloat16,
                device_map='cpu',
            ).cuda().eval()

        self.device = 'cuda'
        self.processor = AutoProcessor.from_pretrained(model_path)
        self.kwargs = dict(do_sample=True, max_new_tokens=2048, temperature=0.6, top_p=0.9)
        self.kwargs.update(kwargs)

    def generate_inner(self, message, dataset=None):
        prompt, image_path = self.message_to_promptimg(message, dataset=dataset)
        image = Image.open(image_path)
        messages = [{'role': 'user', 'content': [{'type': 'image'}, {'type': 'text', 'text': prompt}]}]
        input_text = self.processor.apply_chat_template(messages, add_generation_prompt=True)
        inputs = self.processor(image, input_text, return_tensors='pt').to(self.device)
        stop = StoppingCriteriaList([StopOnStrings(['</CONCLUSION>'], self.processor.tokenizer)])
        output = self.model.generate(**inputs, stopping_criteria=stop, **self.kwargs)
        return self.processor.decode(output[0][inputs['input_ids'].shape[1]:], skip_special_tokens=True)
