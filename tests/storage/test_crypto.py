"""Contact encryption at rest and the masks used in logs and staff lists."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from storage.crypto import DecryptionError, FieldCipher, mask_name, mask_phone

SECRET = "test-secret-key-0123456789abcdef"


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(SECRET)


@pytest.mark.parametrize("text", ["张三丰", "+8613812345678", "", "John Smith", "🙂 ok"])
def test_round_trip(cipher: FieldCipher, text: str) -> None:
    blob = cipher.encrypt(text)
    assert isinstance(blob, bytes)
    assert text.encode() not in blob or text == ""
    assert cipher.decrypt(blob) == text


def test_none_stays_none(cipher: FieldCipher) -> None:
    assert cipher.encrypt(None) is None
    assert cipher.decrypt(None) is None


def test_same_text_encrypts_differently(cipher: FieldCipher) -> None:
    # Fernet uses a random IV: equal phone numbers must not be spotted in the table.
    assert cipher.encrypt("13812345678") != cipher.encrypt("13812345678")


def test_a_new_instance_with_the_same_secret_decrypts(cipher: FieldCipher) -> None:
    blob = cipher.encrypt("13812345678")
    assert FieldCipher(SECRET).decrypt(blob) == "13812345678"


def test_key_is_hkdf_sha256_with_the_contact_label(cipher: FieldCipher) -> None:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"weiquan-contact-v1").derive(
        SECRET.encode()
    )
    blob = Fernet(base64.urlsafe_b64encode(key)).encrypt(b"13812345678")
    assert cipher.decrypt(blob) == "13812345678"
    # And not the raw secret or a key for another purpose.
    other = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"staff-token").derive(
        SECRET.encode()
    )
    assert other != key


def test_wrong_key_or_tampering_is_refused(cipher: FieldCipher) -> None:
    blob = cipher.encrypt("13812345678")
    assert blob is not None
    with pytest.raises(DecryptionError) as info:
        FieldCipher("another-secret").decrypt(blob)
    assert "138" not in str(info.value)
    tampered = blob[:-2] + (b"A" if blob[-2:-1] != b"A" else b"B") + blob[-1:]
    with pytest.raises(DecryptionError):
        cipher.decrypt(tampered)
    with pytest.raises(DecryptionError):
        cipher.decrypt(b"not a token")


def test_memoryview_from_a_driver_is_accepted(cipher: FieldCipher) -> None:
    # asyncpg and some SQLite paths hand back memoryview/bytearray for LargeBinary.
    blob = cipher.encrypt("张三")
    assert blob is not None
    assert cipher.decrypt(bytearray(blob)) == "张三"  # type: ignore[arg-type]


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        FieldCipher("")


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+8613812345678", "+86 138****5678"),
        ("13812345678", "+86 138****5678"),
        ("8613812345678", "+86 138****5678"),
        ("+86 138 1234 5678", "+86 138****5678"),
        ("+12025550123", "+1 202***0123"),
        ("+852 9123 4567", "+852 912*4567"),
        ("+86 010 8888 6666", "+86 108***6666"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    "phone", ["123", "+86", "abc", "+", "12345", "1" * 300, "+86 138\x00", "☎️☎️☎️"]
)
def test_mask_phone_odd_input_is_masked_entirely(phone: str) -> None:
    masked = mask_phone(phone)
    assert masked == "****"


def test_mask_phone_empty() -> None:
    assert mask_phone("") == ""
    assert mask_phone(None) == ""


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        ("John Smith", "J*** S****"),
        ("  John   Smith ", "J*** S****"),
        ("Mary Ann O'Neil", "M*** A** O*****"),
        ("阿卜杜·热合曼", "阿**·热**"),
        ("J", "*"),
        ("张", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(name: str | None, masked: str) -> None:
    assert mask_name(name) == masked


def test_sealed_json_hides_its_content_and_opens_again(cipher: FieldCipher) -> None:
    draft = {"draft": {"contact_name": "张三", "contact_phone": "+8613812345678"}}
    sealed = cipher.seal(draft)
    assert isinstance(sealed, str)
    assert "8613812345678" not in sealed and "张三" not in sealed
    assert cipher.unseal(sealed) == draft
    # Plain JSON from rows written before encryption passes through unchanged.
    assert cipher.unseal(draft) == draft
    assert cipher.unseal([{"text": "hi"}]) == [{"text": "hi"}]


def test_a_sealed_value_needs_the_same_secret(cipher: FieldCipher) -> None:
    sealed = cipher.seal([{"text": "hi"}])
    with pytest.raises(DecryptionError):
        FieldCipher("another-secret-key-0123456789ab").unseal(sealed)
    with pytest.raises(DecryptionError):
        cipher.unseal("not a token")
