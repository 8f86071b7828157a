from transformers import pipeline

caption_pipe = None
PROMPT = "The main subject of this picture is a"


def init():
    global caption_pipe

    print("### BackgroundSwap: Initializing captioner...")

    caption_pipe = pipeline(
        "image-to-text",
        model="Salesforce/blip-image-captioning-base",
        prompt=PROMPT
    )


def derive_caption(image):
    result = caption_pipe(image, max_new_tokens=20)
    raw = result[0]["generated_text"]
    return raw.lower().replace(PROMPT.lower(), "").strip()
