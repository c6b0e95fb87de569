"""Evidence for the demo's hazards and listings: a tiny valid PNG."""

from django.core.files.uploadedfile import SimpleUploadedFile

# A 1×1 PNG, enough for evidence in the demo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def photo(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")
