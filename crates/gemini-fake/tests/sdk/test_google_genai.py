"""Google's own Python SDK (google-genai), unchanged, against gemini-fake.

Only the base URL points at the fake. The SDK picks its own API version (v1 in google-genai 3.x; the fake
serves v1 and v1beta alike), headers (x-goog-api-key) and JSON spelling (it mixes camelCase and
snake_case, and re-encodes bytes as URL-safe base64), so these tests prove the fake is not tuned to our own
client. Plain asserts, no pytest: run.sh runs this file with the venv's python.
"""

import os
import struct
import sys
import time
import traceback

from google import genai
from google.genai import errors, types

BASE = os.environ["FAKE_BASE_URL"]
KEY = os.environ.get("FAKE_KEY", "sdk-test-key")
# Nano Banana 2 (GA id, deprecated but served): the one with 512 px, which keeps renders fast.
FLASH = "gemini-3.1-flash-image"
PRO = "gemini-3-pro-image"
NB21 = "gemini-nano-banana-2.1"
LITE = "gemini-3.1-flash-lite-image"
# Shut down by Google on 2026-06-25.
RETIRED = ["gemini-3.1-flash-image-preview", "gemini-3-pro-image-preview"]

client = genai.Client(api_key=KEY, http_options=types.HttpOptions(base_url=BASE))


def png_size(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def final_image(response):
    images = [p for p in response.candidates[0].content.parts if p.inline_data and not p.thought]
    assert images, "no image in the response"
    return images[-1]


def test_generate_with_image_config():
    response = client.models.generate_content(
        model=FLASH,
        contents="A nano banana dish in a fancy restaurant",
        config=types.GenerateContentConfig(
            response_modalities=["TEXT", "IMAGE"],
            image_config=types.ImageConfig(aspect_ratio="16:9", image_size="2K"),
        ),
    )
    image = final_image(response)
    assert image.inline_data.mime_type == "image/png"
    assert png_size(image.inline_data.data) == (2752, 1536), png_size(image.inline_data.data)
    assert image.thought_signature, "image part must carry a thought signature"
    assert response.text, "a text part was expected"
    usage = response.usage_metadata
    assert usage.thoughts_token_count and usage.thoughts_token_count > 0
    assert response.candidates[0].finish_reason == types.FinishReason.STOP


def test_chat_replays_signatures():
    chat = client.chats.create(
        model=PRO,
        config=types.GenerateContentConfig(
            image_config=types.ImageConfig(aspect_ratio="4:3", image_size="1K"),
            thinking_config=types.ThinkingConfig(include_thoughts=True),
        ),
    )
    first = chat.send_message("Draw a lighthouse on a cliff")
    assert png_size(final_image(first).inline_data.data) == (1200, 896)
    # The SDK resends the whole history, thought signatures included; the fake refuses any that is
    # missing or altered, so a second and third turn succeeding proves the replay is faithful.
    second = chat.send_message("Now make it night, with the beam on")
    assert png_size(final_image(second).inline_data.data) == (1200, 896)
    third = chat.send_message("Add a ship in the distance")
    final_image(third)
    assert len(chat.get_history()) == 6


def test_streaming():
    chunks = list(
        client.models.generate_content_stream(
            model=FLASH,
            contents="A watercolor of a quetzal",
            config=types.GenerateContentConfig(
                image_config=types.ImageConfig(aspect_ratio="1:1", image_size="512"),
                thinking_config=types.ThinkingConfig(include_thoughts=True, thinking_level="HIGH"),
            ),
        )
    )
    assert len(chunks) > 3, len(chunks)
    parts = [p for c in chunks if c.candidates and c.candidates[0].content for p in c.candidates[0].content.parts]
    thoughts = [p for p in parts if p.thought]
    images = [p for p in parts if p.inline_data and not p.thought]
    assert thoughts, "thought parts expected with include_thoughts"
    assert len(images) == 1 and png_size(images[0].inline_data.data) == (512, 512)
    assert chunks[-1].candidates[0].finish_reason == types.FinishReason.STOP
    assert chunks[-1].usage_metadata.total_token_count > 0


def test_bad_image_size_raises_client_error():
    try:
        client.models.generate_content(
            model=FLASH,
            contents="x",
            config=types.GenerateContentConfig(image_config=types.ImageConfig(image_size="1k")),
        )
    except errors.ClientError as e:
        assert e.code == 400, e.code
        assert e.status == "INVALID_ARGUMENT", e.status
        assert "1k" in e.message, e.message
    else:
        raise AssertionError("expected ClientError 400")


def test_files_upload_and_use():
    import tempfile
    import zlib

    # A tiny 3:2 PNG written by hand: the SDK uploads it resumably, we poll until ACTIVE, then use it.

    w, h = 30, 20
    rows = b"".join(b"\x00" + b"".join(bytes([x * 8 % 256, y * 12 % 256, 128]) for x in range(w)) for y in range(h))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as f:
        f.write(png)
        path = f.name
    uploaded = client.files.upload(file=path, config=types.UploadFileConfig(mime_type="image/png", display_name="cliff"))
    deadline = time.time() + 10
    while uploaded.state != types.FileState.ACTIVE:
        assert time.time() < deadline, "file never became ACTIVE"
        time.sleep(0.1)
        uploaded = client.files.get(name=uploaded.name)
    response = client.models.generate_content(model=FLASH, contents=[uploaded, "Restyle this as a poster"])
    assert png_size(final_image(response).inline_data.data) == (1264, 848)
    os.unlink(path)


def test_batch_inline():
    job = client.batches.create(
        model=FLASH,
        src=[
            {"contents": [{"role": "user", "parts": [{"text": "A red kite"}]}],
             "config": {"response_modalities": ["IMAGE"], "image_config": {"aspect_ratio": "3:4", "image_size": "512"}}},
            {"contents": [{"role": "user", "parts": [{"text": "A blue kite"}]}]},
        ],
        config={"display_name": "kites"},
    )
    deadline = time.time() + 10
    while job.state != types.JobState.JOB_STATE_SUCCEEDED:
        assert time.time() < deadline, f"batch stuck in {job.state}"
        time.sleep(0.1)
        job = client.batches.get(name=job.name)
    responses = job.dest.inlined_responses
    assert len(responses) == 2
    assert png_size(final_image(responses[0].response).inline_data.data) == (448, 600)


def test_count_tokens():
    assert client.models.count_tokens(model=FLASH, contents="12345678").total_tokens == 2


def test_models_list_and_get():
    # A small page size makes the SDK's pager follow nextPageToken.
    names = [m.name for m in client.models.list(config={"page_size": 2})]
    for model in [NB21, PRO, LITE, FLASH]:
        assert f"models/{model}" in names, names
    for model in RETIRED + ["gemini-2.5-flash-image"]:
        assert f"models/{model}" not in names, names
    assert len(names) == len(set(names)), names
    assert client.models.get(model=PRO).name == f"models/{PRO}"


def test_retired_model_raises_404():
    for model in RETIRED:
        try:
            client.models.generate_content(model=model, contents="A banana")
        except errors.ClientError as e:
            assert e.code == 404, e.code
            assert e.status == "NOT_FOUND", e.status
            assert f"models/{model} is not found" in e.message, e.message
        else:
            raise AssertionError(f"expected ClientError 404 for {model}")


def test_default_model_generates():
    response = client.models.generate_content(
        model=NB21,
        contents="A nano banana on a tiny plate",
        config=types.GenerateContentConfig(
            response_modalities=["IMAGE"],
            image_config=types.ImageConfig(aspect_ratio="16:9", image_size="1K"),
            thinking_config=types.ThinkingConfig(thinking_level="MEDIUM"),
        ),
    )
    assert png_size(final_image(response).inline_data.data) == (1376, 768)
    assert response.model_version == NB21, response.model_version


def main():
    tests = [(name, fn) for name, fn in sorted(globals().items()) if name.startswith("test_") and callable(fn)]
    passed = failed = 0
    for name, fn in tests:
        start = time.time()
        try:
            fn()
        except Exception:
            failed += 1
            print(f"FAIL {name}")
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok   {name} ({time.time() - start:.1f}s)")
    print(f"sdk: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
